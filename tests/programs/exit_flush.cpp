// A program for tests: uses the global provider configured only by the environment, ends spans on
// the main thread and on a worker, and returns from main without flushing. Every span must still
// reach the exporter: the global provider flushes at normal exit.
#include <cstdlib>
#include <string>
#include <thread>

#include "weft/weft.h"

int main(int argc, char** argv) {
  const int spans = argc > 1 ? std::atoi(argv[1]) : 10;
  weft::Tracer tracer = weft::get_tracer("exit-flush");
  weft::ScopedSpan root = tracer.start_scoped_span("root");
  std::thread worker([&tracer, spans, context = weft::Context::current()] {
    weft::Scope scope(context);
    for (int i = 0; i < spans; ++i) tracer.start_span("worker-span").end();
  });
  worker.join();
  for (int i = 0; i < spans; ++i) tracer.start_span("main-span").end();
  return 0;  // `root` ends during the return; nothing is flushed by hand
}
