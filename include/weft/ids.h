// Identifiers of the W3C Trace Context data model: a 128-bit trace id, a 64-bit span id and the
// trace flags. Ids are stored in wire (big-endian) byte order; an all-zero id is invalid.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace weft {

namespace detail {
// Ids are compared, tested and made on every span: these compile to a load (or store) and a byte
// swap.
inline std::uint64_t load_big_endian(const std::uint8_t* bytes) noexcept {
  std::uint64_t value;
  std::memcpy(&value, bytes, sizeof value);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  value = __builtin_bswap64(value);
#endif
  return value;
}
inline void store_big_endian(std::uint64_t value, std::uint8_t* bytes) noexcept {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  value = __builtin_bswap64(value);
#endif
  std::memcpy(bytes, &value, sizeof value);
}
}  // namespace detail

class TraceId {
 public:
  static constexpr std::size_t kSize = 16;

  constexpr TraceId() noexcept = default;
  explicit TraceId(const std::array<std::uint8_t, kSize>& bytes) noexcept : bytes_(bytes) {}
  // The id whose first eight bytes are `high` and last eight bytes are `low` (big-endian).
  static TraceId from_words(std::uint64_t high, std::uint64_t low) noexcept {
    TraceId id;
#if defined(__SSE2__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    // One 16-byte store. Ids are copied 16 bytes at a time, and a 16-byte load of what two
    // 8-byte stores just wrote cannot be forwarded from them: it stalls for a dozen cycles.
    const __m128i words = _mm_set_epi64x(static_cast<long long>(__builtin_bswap64(low)),
                                         static_cast<long long>(__builtin_bswap64(high)));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(id.bytes_.data()), words);
#else
    detail::store_big_endian(high, id.bytes_.data());
    detail::store_big_endian(low, id.bytes_.data() + 8);
#endif
    return id;
  }
  // Parses exactly 32 lowercase hex digits; nullopt otherwise (all-zero parses, but is invalid).
  static std::optional<TraceId> from_hex(std::string_view hex) noexcept;

  bool is_valid() const noexcept { return high() != 0 || low() != 0; }
  std::uint64_t high() const noexcept { return detail::load_big_endian(bytes_.data()); }
  std::uint64_t low() const noexcept { return detail::load_big_endian(bytes_.data() + 8); }
  const std::array<std::uint8_t, kSize>& bytes() const noexcept { return bytes_; }
  std::string to_hex() const;
  void to_hex(char* out) const noexcept;  // writes exactly 32 characters, no terminator

  friend bool operator==(const TraceId& a, const TraceId& b) noexcept { return a.bytes_ == b.bytes_; }
  friend bool operator!=(const TraceId& a, const TraceId& b) noexcept { return !(a == b); }
  friend bool operator<(const TraceId& a, const TraceId& b) noexcept { return a.bytes_ < b.bytes_; }

 private:
  std::array<std::uint8_t, kSize> bytes_{};
};

class SpanId {
 public:
  static constexpr std::size_t kSize = 8;

  constexpr SpanId() noexcept = default;
  explicit SpanId(const std::array<std::uint8_t, kSize>& bytes) noexcept : bytes_(bytes) {}
  static SpanId from_word(std::uint64_t value) noexcept {
    SpanId id;
    detail::store_big_endian(value, id.bytes_.data());
    return id;
  }
  // Parses exactly 16 lowercase hex digits; nullopt otherwise.
  static std::optional<SpanId> from_hex(std::string_view hex) noexcept;

  bool is_valid() const noexcept { return word() != 0; }
  std::uint64_t word() const noexcept { return detail::load_big_endian(bytes_.data()); }
  const std::array<std::uint8_t, kSize>& bytes() const noexcept { return bytes_; }
  std::string to_hex() const;
  void to_hex(char* out) const noexcept;  // writes exactly 16 characters, no terminator

  friend bool operator==(const SpanId& a, const SpanId& b) noexcept { return a.bytes_ == b.bytes_; }
  friend bool operator!=(const SpanId& a, const SpanId& b) noexcept { return !(a == b); }
  friend bool operator<(const SpanId& a, const SpanId& b) noexcept { return a.bytes_ < b.bytes_; }

 private:
  std::array<std::uint8_t, kSize> bytes_{};
};

// The 8-bit trace-flags field. Bit 0 is "sampled"; bit 1 is the W3C Trace Context Level 2 "random"
// flag, which says the rightmost 56 bits of the trace id are random (weft sets it on the traces it
// starts, and samplers may rely on it).
class TraceFlags {
 public:
  static constexpr std::uint8_t kSampled = 0x01;
  static constexpr std::uint8_t kRandom = 0x02;

  constexpr TraceFlags() noexcept = default;
  constexpr explicit TraceFlags(std::uint8_t value) noexcept : value_(value) {}

  constexpr std::uint8_t value() const noexcept { return value_; }
  constexpr bool sampled() const noexcept { return (value_ & kSampled) != 0; }
  constexpr bool random() const noexcept { return (value_ & kRandom) != 0; }
  constexpr TraceFlags with_sampled(bool on) const noexcept {
    return TraceFlags(on ? (value_ | kSampled) : (value_ & ~kSampled));
  }

  friend constexpr bool operator==(TraceFlags a, TraceFlags b) noexcept { return a.value_ == b.value_; }
  friend constexpr bool operator!=(TraceFlags a, TraceFlags b) noexcept { return a.value_ != b.value_; }

 private:
  std::uint8_t value_ = 0;
};

// Fresh random ids from a per-thread generator: no lock, no shared state, and re-seeded in the
// child after fork() so parent and child never hand out the same ids.
TraceId generate_trace_id() noexcept;
SpanId generate_span_id() noexcept;

}  // namespace weft
