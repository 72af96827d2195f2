// Short strings on the span path, compared and copied without a call to memcmp or memcpy and
// without a loop. A recycled record's name is compared with the new one on every span start, and
// a plain span's name is copied into its queue slot; names are mostly under 16 bytes, where two
// overlapping loads (or stores) per side beat the library call.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace weft::detail {

// Whether the first and the last sizeof(Word) bytes of `a` and `b` agree: all `size` bytes, for
// sizes from sizeof(Word) to twice that.
template <class Word>
bool same_head_and_tail(const char* a, const char* b, std::size_t size) noexcept {
  Word a_head, a_tail, b_head, b_tail;
  std::memcpy(&a_head, a, sizeof(Word));
  std::memcpy(&b_head, b, sizeof(Word));
  std::memcpy(&a_tail, a + size - sizeof(Word), sizeof(Word));
  std::memcpy(&b_tail, b + size - sizeof(Word), sizeof(Word));
  return ((a_head ^ b_head) | (a_tail ^ b_tail)) == 0;
}

// Copies the first and the last `kWord` bytes: all `size` bytes, for sizes from kWord to twice it.
template <std::size_t kWord>
void copy_head_and_tail(const char* from, std::size_t size, char* to) noexcept {
  std::memcpy(to, from, kWord);
  std::memcpy(to + size - kWord, from + size - kWord, kWord);
}

inline bool same_text(std::string_view a, std::string_view b) noexcept {
  const std::size_t size = a.size();
  if (size != b.size()) return false;
  if (size >= 8 && size <= 16) return same_head_and_tail<std::uint64_t>(a.data(), b.data(), size);
  if (size >= 4 && size < 8) return same_head_and_tail<std::uint32_t>(a.data(), b.data(), size);
  if (size < 4) {
    // The first, middle and last bytes are every byte of a text of 1 to 3 bytes.
    return size == 0 || (a[0] == b[0] && a[size / 2] == b[size / 2] &&
                         a[size - 1] == b[size - 1]);
  }
  return std::memcmp(a.data(), b.data(), size) == 0;
}

// Copies `size` bytes to `to`, reading and writing none beyond them.
inline void copy_short_text(const char* from, std::size_t size, char* to) noexcept {
  if (size >= 8 && size <= 16) {
    copy_head_and_tail<8>(from, size, to);
  } else if (size >= 4 && size < 8) {
    copy_head_and_tail<4>(from, size, to);
  } else if (size < 4) {
    if (size == 0) return;
    // The first, middle and last bytes are every byte of a text of 1 to 3 bytes.
    to[0] = from[0];
    to[size / 2] = from[size / 2];
    to[size - 1] = from[size - 1];
  } else {
    std::memcpy(to, from, size);
  }
}

}  // namespace weft::detail
