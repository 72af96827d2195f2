// Asking for a cache line before writing it. A span's queue slot was last read by the export
// thread on another core, so the producer's first store into it waits for the line to come back
// (a read-for-ownership), and the stores behind it queue up: on a 2-vCPU AMD EPYC guest that wait
// was over half of BatchProcessor::on_end. Asking a few spans ahead, with PREFETCHW (a prefetch
// that takes the line for writing), overlaps the wait with the spans in between.
#pragma once

#include <atomic>

namespace weft::detail {

// Whether the CPU has PREFETCHW (CPUID 0x80000001, ECX bit 8); false until known and off x86.
extern std::atomic<bool> cpu_has_prefetchw;

// A hint: never faults and never changes what memory holds.
inline void prefetch_for_writing(const void* address) noexcept {
#if defined(__x86_64__) || defined(__i386__)
  if (cpu_has_prefetchw.load(std::memory_order_relaxed)) {
    asm volatile("prefetchw %0" : : "m"(*static_cast<const char*>(address)));
    return;
  }
#endif
  // Elsewhere, the compiler's own: PREFETCHW where the target has it, a read prefetch otherwise.
  __builtin_prefetch(address, 1);
}

}  // namespace weft::detail
