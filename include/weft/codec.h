// How values cross a process boundary in a weft::ProcessPool: arguments and results are written
// to bytes and read back in the other process. Built in: trivially copyable types, std::string,
// and std::vector of any encodable type. For your own types, specialise weft::Codec:
//
//   template <> struct weft::Codec<Order> {
//     static void write(weft::ByteWriter& out, const Order& order) {
//       weft::encode(out, order.id); weft::encode(out, order.items);
//     }
//     static Order read(weft::ByteReader& in) {
//       Order order; order.id = weft::decode<int>(in); order.items = weft::decode<std::vector<Item>>(in);
//       return order;
//     }
//   };
#pragma once

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace weft {

class ByteWriter {
 public:
  void append(const void* data, std::size_t size) {
    bytes_.append(static_cast<const char*>(data), size);
  }
  std::string& bytes() noexcept { return bytes_; }

 private:
  std::string bytes_;
};

// Reading past the end throws std::out_of_range: the task fails with a clear error.
class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : bytes_(bytes) {}
  void read(void* out, std::size_t size) {
    if (size > bytes_.size()) throw std::out_of_range("weft codec: truncated value");
    std::memcpy(out, bytes_.data(), size);
    bytes_.remove_prefix(size);
  }
  std::size_t remaining() const noexcept { return bytes_.size(); }

 private:
  std::string_view bytes_;
};

template <class T, class Enable = void>
struct Codec;  // no codec for T: specialise weft::Codec<T>

template <class T>
struct Codec<T, std::enable_if_t<std::is_trivially_copyable_v<T>>> {
  static void write(ByteWriter& out, const T& value) { out.append(&value, sizeof(T)); }
  static T read(ByteReader& in) {
    T value;
    in.read(&value, sizeof(T));
    return value;
  }
};

template <>
struct Codec<std::string> {
  static void write(ByteWriter& out, const std::string& value) {
    Codec<std::uint64_t>::write(out, value.size());
    out.append(value.data(), value.size());
  }
  static std::string read(ByteReader& in) {
    const auto size = Codec<std::uint64_t>::read(in);
    if (size > in.remaining()) throw std::out_of_range("weft codec: truncated string");
    std::string value(size, '\0');
    in.read(value.data(), size);
    return value;
  }
};

template <class T>
struct Codec<std::vector<T>, std::enable_if_t<!std::is_same_v<T, bool>>> {
  static void write(ByteWriter& out, const std::vector<T>& values) {
    Codec<std::uint64_t>::write(out, values.size());
    if constexpr (std::is_trivially_copyable_v<T>) {
      out.append(values.data(), values.size() * sizeof(T));
    } else {
      for (const T& value : values) Codec<T>::write(out, value);
    }
  }
  static std::vector<T> read(ByteReader& in) {
    const auto size = Codec<std::uint64_t>::read(in);
    if (size > in.remaining()) throw std::out_of_range("weft codec: truncated vector");
    std::vector<T> values;
    if constexpr (std::is_trivially_copyable_v<T>) {
      values.resize(size);
      in.read(values.data(), size * sizeof(T));
    } else {
      values.reserve(size);
      for (std::uint64_t i = 0; i < size; ++i) values.push_back(Codec<T>::read(in));
    }
    return values;
  }
};

template <class T>
void encode(ByteWriter& out, const T& value) {
  Codec<T>::write(out, value);
}
template <class T>
T decode(ByteReader& in) {
  return Codec<T>::read(in);
}

}  // namespace weft
