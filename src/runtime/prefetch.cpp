// Finds out once, as the library loads, whether the CPU has PREFETCHW: see prefetch.h.
#include "runtime/prefetch.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace weft::detail {
namespace {

bool detect_prefetchw() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid(0x80000001u, &eax, &ebx, &ecx, &edx) == 0) return false;
  return (ecx & (1u << 8)) != 0;
#else
  return false;
#endif
}

}  // namespace

std::atomic<bool> cpu_has_prefetchw{false};

namespace {
// Set while the library's statics are initialized: a span ended before then (from another
// file's static initializer) reads a valid false and takes the plain prefetch.
[[maybe_unused]] const bool prefetchw_detected =
    (cpu_has_prefetchw.store(detect_prefetchw(), std::memory_order_relaxed), true);
}  // namespace

}  // namespace weft::detail
