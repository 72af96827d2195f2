// Asking for a cache line before writing it. A span's queue slot was last read by the export
// thread on another core, so the producer's first store into it waits for the line to come back
// (a read-for-ownership), and the stores behind it queue up: on a 2-vCPU AMD EPYC guest that wait
// was over half of BatchProcessor::on_end. Asking a few spans ahead, with PREFETCHW (a prefetch
// that takes the line for writing), overlaps the wait with the spans in between.
#pragma once

#include <atomic>
#include <cstddef>

namespace weft::detail {

// Whether the CPU has PREFETCHW (CPUID 0x80000001, ECX bit 8). Constant-initialized to false, set
// as the library loads; always false off x86.
extern std::atomic<bool> cpu_has_prefetchw;

// Asks for every cache line of [begin, begin + size) (size > 0). A hint: never faults
// and never changes what memory holds.
inline void prefetch_for_writing(const char* begin, std::size_t size) noexcept {
  constexpr std::size_t kLine = 64;
  const bool exclusive = cpu_has_prefetchw.load(std::memory_order_relaxed);
  const auto prefetch = [exclusive](const char& byte) {
#if defined(__x86_64__) || defined(__i386__)
    if (exclusive) {
      asm volatile("prefetchw %0" : : "m"(byte));
      return;
    }
#endif
    // Elsewhere, the compiler's own: PREFETCHW where the target has it, a read prefetch otherwise.
    __builtin_prefetch(&byte, 1);
  };
  // Offsets, not pointers, step through the range: a pointer stepped past its end would be
  // undefined even unused.
  for (std::size_t offset = 0; offset < size - 1; offset += kLine) prefetch(begin[offset]);
  prefetch(begin[size - 1]);
}

}  // namespace weft::detail
