// Runs one measurement in a fork()ed child process and returns what it measured. Memory figures
// (allocated bytes, peak RSS) need a fresh process: weft keeps span records for reuse and the
// process's peak RSS never goes down, so a second repetition in the same process would measure
// what the first one left behind. Call it while the benchmark process has no other threads.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstddef>
#include <optional>
#include <type_traits>

namespace weft_bench {

// `measure` runs in the child and returns a trivially copyable result, sent back over a pipe.
// nullopt when the child could not be started or died before it answered.
template <class Result, class Measure>
std::optional<Result> measure_in_child(Measure measure) {
  static_assert(std::is_trivially_copyable_v<Result>, "the result crosses a pipe as bytes");
  int fds[2];
  if (pipe(fds) != 0) return std::nullopt;
  const pid_t child = fork();
  if (child < 0) {
    close(fds[0]);
    close(fds[1]);
    return std::nullopt;
  }
  if (child == 0) {
    close(fds[0]);
    const Result result = measure();
    const bool sent = write(fds[1], &result, sizeof result) == static_cast<ssize_t>(sizeof result);
    _exit(sent ? 0 : 1);  // no exit handlers: they belong to the parent's benchmark run
  }
  close(fds[1]);
  Result result;
  std::size_t received = 0;
  while (received < sizeof result) {
    const ssize_t count =
        read(fds[0], reinterpret_cast<char*>(&result) + received, sizeof result - received);
    if (count <= 0) break;
    received += static_cast<std::size_t>(count);
  }
  close(fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  if (received != sizeof result || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return std::nullopt;
  }
  return result;
}

}  // namespace weft_bench
