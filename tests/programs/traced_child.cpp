// A program for process tests: configured only by its environment, like any program a weft parent
// starts. What it does is chosen by its first argument:
//   spans      "child-main" with a child "child-step", then a normal exit
//   exit-early "finished" ended, "unfinished" left open, then _exit(3) without any shutdown
//   sigkill    "doomed" left open, then killed by SIGKILL
//   sum N      "sum-squares" over 0..N-1, prints the sum
//   first-span as its very first weft call starts a span and prints its trace id and parent span
//              id (the context it started under), e.g. with OTEL_SDK_DISABLED=true
#include <signal.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "weft/weft.h"

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "spans";
  weft::Tracer tracer = weft::get_tracer("traced-child");
  if (mode == "spans") {
    weft::ScopedSpan main_span = tracer.start_scoped_span("child-main");
    tracer.start_span("child-step").end();
    return 0;
  }
  if (mode == "exit-early") {
    weft::ScopedSpan unfinished = tracer.start_scoped_span("unfinished");
    tracer.start_span("finished").end();
    _exit(3);
  }
  if (mode == "sigkill") {
    weft::ScopedSpan doomed = tracer.start_scoped_span("doomed");
    raise(SIGKILL);
  }
  if (mode == "sum" && argc > 2) {
    weft::ScopedSpan span = tracer.start_scoped_span("sum-squares");
    const std::int64_t count = std::atoll(argv[2]);
    std::int64_t sum = 0;
    for (std::int64_t i = 0; i < count; ++i) sum += i * i;
    span->set_attribute("sum", sum);
    std::printf("%lld\n", static_cast<long long>(sum));
    return 0;
  }
  if (mode == "first-span") {
    weft::Span span = tracer.start_span("first");
    std::printf("%s %s\n", span.context().trace_id.to_hex().c_str(),
                span.context().span_id.to_hex().c_str());
    return 0;
  }
  std::fprintf(stderr, "traced_child: unknown mode %s\n", mode.c_str());
  return 2;
}
