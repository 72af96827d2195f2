// A span's attributes kept as the bytes its batch queue slots will hold, while it is recorded.
//
// A span with attributes used to build a std::vector<KeyValue> (a std::string key and a variant
// value each), size it again at its end, write it into the queue byte by byte, and clear it for
// the record's next use. Kept as bytes in the queue's own layout from the first attribute on, it
// is sized as it grows, copied into the queue in one piece and cleared by setting a size to zero.
//
// Layout of one attribute (span_extension.cpp writes the same after its count):
//   u32 key length, key bytes, u8 type (AttributeType), value: bool u8, int64 and double 8 bytes,
//   string u32 length and bytes. Array values have no layout here: a span given one keeps its
//   attributes as a vector from then on (see SpanRecord::attributes_as_bytes).
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

#include "runtime/short_text.h"
#include "trace/byte_buffer.h"
#include "weft/attributes.h"

namespace weft::detail {

enum class AttributeType : std::uint8_t { kBool = 0, kInt = 1, kDouble = 2, kString = 3 };

// The longest key, string value or event name the layout holds (its lengths are 32-bit).
constexpr std::size_t kMaxLength = UINT32_MAX;

class AttributeBytes : public ByteList {
 public:
  void clear() noexcept {
    ByteList::clear();
    key_bits_ = 0;
  }

  // Sets `key` to the value, in place when the key is there; otherwise adds it, or counts it in
  // `dropped` when `max_count` attributes are there already. A string must already fit the length
  // limit. False, with nothing changed, for a key or a string of 4 GiB or more, which the layout's
  // 32-bit lengths cannot hold. Throws std::bad_alloc only.
  bool put_bool(std::string_view key, bool value, std::size_t max_count, std::uint32_t& dropped) {
    const auto byte = static_cast<std::uint8_t>(value);
    return put(key, AttributeType::kBool, &byte, sizeof byte, {}, max_count, dropped);
  }
  bool put_int(std::string_view key, std::int64_t value, std::size_t max_count,
               std::uint32_t& dropped) {
    return put(key, AttributeType::kInt, &value, sizeof value, {}, max_count, dropped);
  }
  bool put_double(std::string_view key, double value, std::size_t max_count,
                  std::uint32_t& dropped) {
    return put(key, AttributeType::kDouble, &value, sizeof value, {}, max_count, dropped);
  }
  bool put_string(std::string_view key, std::string_view value, std::size_t max_count,
                  std::uint32_t& dropped) {
    const auto length = static_cast<std::uint32_t>(value.size());
    return put(key, AttributeType::kString, &length, sizeof length, value, max_count, dropped);
  }
  // put_bool, put_int or put_double, by the value's type.
  template <class T>
  bool put_scalar(std::string_view key, T value, std::size_t max_count, std::uint32_t& dropped) {
    if constexpr (std::is_same_v<T, bool>) {
      return put_bool(key, value, max_count, dropped);
    } else if constexpr (std::is_same_v<T, std::int64_t>) {
      return put_int(key, value, max_count, dropped);
    } else {
      static_assert(std::is_same_v<T, double>, "a scalar attribute is a bool, int64 or double");
      return put_double(key, value, max_count, dropped);
    }
  }

  // The same for any value: false, with nothing changed, also for an array value, which has no
  // layout here. A string is cut to `max_length` characters first.
  bool put_value(std::string_view key, const AttributeValue& value, std::size_t max_count,
                 std::size_t max_length, std::uint32_t& dropped);

  // Appends the attributes to `out`, in their order, and clears them; if that throws, `out` and
  // the attributes are as they were.
  void move_to(Attributes& out);

 private:
  // The value part of an attribute is its type byte, a fixed `head` (a scalar, or a string's
  // length) and a `tail` (a string's bytes). Inline, so that the head is copied as one store.
  bool put(std::string_view key, AttributeType type, const void* head, std::size_t head_size,
           std::string_view tail, std::size_t max_count, std::uint32_t& dropped) {
    if (__builtin_expect((key.size() | tail.size()) > kMaxLength, 0)) return false;
    const std::size_t value_size = 1 + head_size + tail.size();
    char* value;
    const std::uint64_t key_bit = bit_of(key);
    // A key whose bit is not set is not there: most keys are new, and take no search.
    const std::size_t at = (key_bits_ & key_bit) != 0 ? find(key) : kNotFound;
    if (at != kNotFound) {
      value = replace_value(at + sizeof(std::uint32_t) + key.size(), value_size);
    } else if (count_ >= max_count) {
      ++dropped;
      return true;
    } else {
      const auto key_size = static_cast<std::uint32_t>(key.size());
      const std::size_t entry_size = sizeof key_size + key_size + value_size;
      char* entry = buffer_.extend(entry_size);
      std::memcpy(entry, &key_size, sizeof key_size);
      copy_short_text(key.data(), key_size, entry + sizeof key_size);
      value = entry + sizeof key_size + key_size;
      ++count_;
      key_bits_ |= key_bit;
    }
    value[0] = static_cast<char>(type);
    std::memcpy(value + 1, head, head_size);
    copy_short_text(tail.data(), tail.size(), value + 1 + head_size);
    return true;
  }
  // One of 64 bits for `key`, from its length and its first and last bytes (up to 8 each).
  static std::uint64_t bit_of(std::string_view key) noexcept {
    const std::size_t size = key.size();
    const char* data = key.data();
    std::uint64_t head = 0;
    std::uint64_t tail = 0;
    if (size >= 8) {
      std::memcpy(&head, data, 8);
      std::memcpy(&tail, data + size - 8, 8);
    } else if (size >= 4) {
      std::uint32_t head32, tail32;
      std::memcpy(&head32, data, 4);
      std::memcpy(&tail32, data + size - 4, 4);
      head = head32;
      tail = tail32;
    } else if (size != 0) {
      head = static_cast<unsigned char>(data[0]);
      tail = static_cast<std::uint64_t>(static_cast<unsigned char>(data[size - 1])) << 8 |
             static_cast<unsigned char>(data[size / 2]);
    }
    const std::uint64_t mixed =
        (head ^ (tail * 0x9e3779b97f4a7c15ULL) ^ size) * 0xff51afd7ed558ccdULL;
    return std::uint64_t{1} << (mixed >> 58);
  }
  // Where the attribute under `key` starts, or kNotFound.
  static constexpr std::size_t kNotFound = ~std::size_t{0};
  std::size_t find(std::string_view key) const noexcept;
  // Where a value part of `new_size` bytes goes in place of the one at `at`: the same place when
  // the sizes agree, else the attributes after it move.
  char* replace_value(std::size_t at, std::size_t new_size);

  std::uint64_t key_bits_ = 0;  // bit_of() of every key there
};

// Appends to `out` the `count` attributes laid out from `at` on; returns where they end.
const char* append_attributes(const char* at, std::uint32_t count, Attributes& out);

// The size of a value of `type` whose bytes (after the type byte) start at `value`.
inline std::size_t attribute_value_size(AttributeType type, const char* value) noexcept {
  switch (type) {
    case AttributeType::kBool:
      return 1;
    case AttributeType::kInt:
    case AttributeType::kDouble:
      return 8;
    case AttributeType::kString:
      break;
  }
  std::uint32_t length;
  std::memcpy(&length, value, sizeof length);
  return sizeof length + length;
}

}  // namespace weft::detail
