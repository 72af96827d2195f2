// Equality of two short strings without a call to memcmp or a loop. The span path compares a
// recycled record's name with the new one on every start; names are mostly under 16 bytes, where
// two overlapping loads per side beat the library call.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace weft::detail {

inline bool same_text(std::string_view a, std::string_view b) noexcept {
  const std::size_t size = a.size();
  if (size != b.size()) return false;
  if (size >= 8 && size <= 16) {
    std::uint64_t a_head, a_tail, b_head, b_tail;
    std::memcpy(&a_head, a.data(), 8);
    std::memcpy(&b_head, b.data(), 8);
    std::memcpy(&a_tail, a.data() + size - 8, 8);
    std::memcpy(&b_tail, b.data() + size - 8, 8);
    return ((a_head ^ b_head) | (a_tail ^ b_tail)) == 0;
  }
  if (size >= 4 && size < 8) {
    std::uint32_t a_head, a_tail, b_head, b_tail;
    std::memcpy(&a_head, a.data(), 4);
    std::memcpy(&b_head, b.data(), 4);
    std::memcpy(&a_tail, a.data() + size - 4, 4);
    std::memcpy(&b_tail, b.data() + size - 4, 4);
    return ((a_head ^ b_head) | (a_tail ^ b_tail)) == 0;
  }
  if (size < 4) {
    // The first, middle and last bytes are every byte of a text of 1 to 3 bytes.
    return size == 0 || (a[0] == b[0] && a[size / 2] == b[size / 2] &&
                         a[size - 1] == b[size - 1]);
  }
  return std::memcmp(a.data(), b.data(), size) == 0;
}

}  // namespace weft::detail
