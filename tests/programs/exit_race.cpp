// A program for tests: worker threads end spans in a tight loop while the main thread leaves,
// by returning from main ("return") or by std::exit ("exit"). The global provider comes from the
// environment. Before leaving, it prints how many spans each worker had finished ending
// ("ended <worker> <count>"): at least those must be exported, and the process must not crash.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "weft/weft.h"

namespace {

constexpr int kWorkers = 4;
std::atomic<long> ended[kWorkers];

}  // namespace

int main(int argc, char** argv) {
  const std::string how = argc > 1 ? argv[1] : "return";
  weft::Tracer tracer = weft::get_tracer("exit-race");
  for (int worker = 0; worker < kWorkers; ++worker) {
    // Detached: they are still ending spans while exit runs the atexit handlers and static
    // destructors, which is the case this program is about.
    std::thread([tracer, worker]() mutable {
      for (long index = 0;; ++index) {
        weft::Span span = tracer.start_span("worker-" + std::to_string(worker));
        span.set_attribute("index", index);
        span.end();
        ended[worker].store(index + 1, std::memory_order_release);
        // A realistic pace (tens of thousands of spans a second each), so that the file stays
        // small; the exit still lands in the middle of span ends.
        if (index % 50 == 49) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }).detach();
  }
  // Let every worker get going, then leave in the middle of their work.
  for (int worker = 0; worker < kWorkers; ++worker) {
    while (ended[worker].load(std::memory_order_acquire) < 200) std::this_thread::yield();
  }
  for (int worker = 0; worker < kWorkers; ++worker) {
    std::printf("ended %d %ld\n", worker, ended[worker].load(std::memory_order_acquire));
  }
  std::fflush(stdout);
  if (how == "exit") std::exit(0);
  return 0;
}
