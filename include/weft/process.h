// Child processes that stay in the trace. weft::spawn() starts a program with the current context
// in its environment (TRACEPARENT, TRACESTATE, BAGGAGE) and, optionally, a span covering the
// child's life; weft::fork_process() is fork() for code that keeps running in the child. Either way, a
// child built with weft sends its spans back to this process, which exports them with its own
// exporter: nothing to configure in the child, and nothing lost when it exits early or is killed
// (spans it left open are ended at its death, with error status, `weft.span.incomplete` = true
// and its exit code or signal).
//
//   weft::SpawnOptions options;
//   options.argv = {"convert", "in.png", "out.jpg"};
//   weft::Spawned started = weft::spawn(options);
//   if (!started) { report(started.error); return; }
//   weft::ExitStatus status = started.child->wait();
//
//   weft::ChildProcess child = weft::fork_process();
//   if (child.in_child()) { do_work(); _exit(0); }   // spans here are children of the current span
//   child.wait();
//
// A plain fork() is safe too (no deadlock, ids never repeat, the child exports on its own);
// see docs/DESIGN.md.
#pragma once

#include <sys/types.h>

#include <csignal>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "weft/span.h"

namespace weft {

struct ExitStatus {
  int exit_code = -1;  // when the process exited
  int signal = 0;      // when a signal ended it (exit_code is then -1)

  bool success() const noexcept { return signal == 0 && exit_code == 0; }
  // The shell's convention: the exit code, or 128 + the signal number.
  int shell_code() const noexcept { return signal != 0 ? 128 + signal : exit_code; }
  std::string describe() const;  // "exit code 3", "killed by SIGKILL"
  static ExitStatus from_wait_status(int status) noexcept;
};

// A child process started by weft. Move-only. Destroying it does not wait for the child; the
// span covering the child (if any) then ends without an exit status.
class ChildProcess {
 public:
  ChildProcess() = default;
  ChildProcess(ChildProcess&&) noexcept;
  ChildProcess& operator=(ChildProcess&&) noexcept;
  ~ChildProcess();

  pid_t pid() const noexcept { return pid_; }
  // True in the child after weft::fork_process().
  bool in_child() const noexcept { return in_child_; }

  // Waits for the child to end (once; later calls return the same status). The child's spans
  // have all been handed to this process's exporter when it returns. A child reaped elsewhere (a
  // SIGCHLD handler's waitpid(-1), SIGCHLD ignored) has an unknown status: ExitStatus{}, exit
  // code -1; its spans are still handed over, and its open ones reported as incomplete.
  ExitStatus wait();
  // The status if the child has ended, without blocking.
  std::optional<ExitStatus> try_wait();
  bool kill(int signal_number = SIGTERM) noexcept;

 private:
  friend struct ChildProcessFactory;  // src/process/child_process_factory.h
  void finish(std::optional<int> wait_status);  // nullopt: reaped elsewhere

  pid_t pid_ = 0;
  bool in_child_ = false;
  std::uint64_t relay_channel_ = 0;  // 0: the child does not relay to us
  std::optional<ExitStatus> status_;
  Span span_;
};

enum class Stdio { kInherit, kNull };

struct SpawnOptions {
  std::vector<std::string> argv;  // argv[0] is the program, looked up in PATH if it has no '/'
  std::optional<std::vector<std::string>> environment;  // "NAME=value"; default: this process's
  std::string working_directory;                        // default: this process's
  Stdio stdin_mode = Stdio::kInherit;
  Stdio stdout_mode = Stdio::kInherit;
  Stdio stderr_mode = Stdio::kInherit;
  bool propagate_context = true;  // TRACEPARENT/TRACESTATE/BAGGAGE from the current context
  bool relay_spans = true;        // the child's spans are exported by this process
  bool record_span = true;        // a span "spawn <program>" from start to wait()
};

// spawn()'s result: the child, or why it could not be started.
struct Spawned {
  std::optional<ChildProcess> child;
  std::string error;  // e.g. "cannot start \"nosuch\": No such file or directory"
  int error_number = 0;

  explicit operator bool() const noexcept { return child.has_value(); }
};

Spawned spawn(SpawnOptions options);

// fork() whose child relays its spans to this process. In the parent: the child; in the child:
// a ChildProcess with in_child() true. If fork() fails: pid() == -1 and errno says why.
ChildProcess fork_process();

}  // namespace weft
