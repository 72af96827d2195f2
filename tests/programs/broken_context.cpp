// A program for tests that loses its trace context twice, the way real programs do: a plain
// std::thread that starts spans without the caller's context, and a plain child process started
// without TRACEPARENT. A thread given the context properly (weft::Scope) stays in the trace.
// Configured by the environment (OTEL_TRACES_EXPORTER=file, WEFT_TRACES_FILE=...).
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "weft/weft.h"

extern char** environ;

namespace {

void work(std::chrono::milliseconds duration) { std::this_thread::sleep_for(duration); }

int run_child() {
  weft::Tracer tracer = weft::get_tracer("broken-context-child");
  weft::ScopedSpan span = tracer.start_scoped_span("plain-child-work");
  work(std::chrono::milliseconds(20));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "child") == 0) return run_child();

  weft::set_thread_name("main");
  weft::Tracer tracer = weft::get_tracer("broken-context");
  weft::ScopedSpan request = tracer.start_scoped_span("handle-request");
  work(std::chrono::milliseconds(5));

  std::thread handed_over([&tracer, context = weft::Context::current()] {
    weft::set_thread_name("handed-over");
    weft::Scope scope(context);
    weft::ScopedSpan span = tracer.start_scoped_span("handed-over-work");
    work(std::chrono::milliseconds(10));
  });
  std::thread plain([&tracer] {
    weft::set_thread_name("plain-thread");
    weft::ScopedSpan span = tracer.start_scoped_span("plain-thread-work");  // no context: a root
    work(std::chrono::milliseconds(10));
  });
  handed_over.join();
  plain.join();

  char* child_argv[] = {argv[0], const_cast<char*>("child"), nullptr};
  pid_t child = 0;
  if (posix_spawn(&child, "/proc/self/exe", nullptr, nullptr, child_argv, environ) != 0) return 2;
  int status = 0;
  waitpid(child, &status, 0);
  work(std::chrono::milliseconds(5));
  return WIFEXITED(status) ? WEXITSTATUS(status) : 3;
}
