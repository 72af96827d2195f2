// An append-only protobuf writer into a caller-owned std::string, which keeps its capacity between
// uses: once the buffer has grown to the size of a batch, encoding allocates nothing.
//
// A nested message is written in place: begin_message() leaves room for the longest length
// varint, end_message() writes the real length and closes the gap, so the output is canonical
// (the shortest varints) without a separate pass to compute sizes.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace weft::detail {

class ProtoWriter {
 public:
  // Protobuf wire types.
  static constexpr std::uint32_t kVarint = 0;
  static constexpr std::uint32_t kFixed64 = 1;
  static constexpr std::uint32_t kLengthDelimited = 2;
  static constexpr std::uint32_t kFixed32 = 5;

  // Writes after what `out` already holds. The string is used as a raw buffer while writing (its
  // whole capacity is made its size, so writes are plain stores rather than std::string::append
  // calls), and cut back to what was written when the writer goes away.
  explicit ProtoWriter(std::string& out) : out_(out), size_(out.size()) {
    out_.resize(std::max(out_.capacity(), size_ + kInitialRoom));
  }
  ~ProtoWriter() { out_.resize(size_); }
  ProtoWriter(const ProtoWriter&) = delete;
  ProtoWriter& operator=(const ProtoWriter&) = delete;

  void varint_field(std::uint32_t field, std::uint64_t value) {
    make_room(kMaxFieldHeader);
    put_varint((field << 3) | kVarint);
    put_varint(value);
  }
  void bool_field(std::uint32_t field, bool value) { varint_field(field, value ? 1 : 0); }
  // int64 is written as its two's complement, as protobuf's int64 (not sint64) requires.
  void int64_field(std::uint32_t field, std::int64_t value) {
    varint_field(field, static_cast<std::uint64_t>(value));
  }
  void fixed64_field(std::uint32_t field, std::uint64_t value) {
    make_room(kMaxFieldHeader);
    put_varint((field << 3) | kFixed64);
    put_little_endian(value, 8);
  }
  void fixed32_field(std::uint32_t field, std::uint32_t value) {
    make_room(kMaxFieldHeader);
    put_varint((field << 3) | kFixed32);
    put_little_endian(value, 4);
  }
  void double_field(std::uint32_t field, double value) {
    std::uint64_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    fixed64_field(field, bits);
  }
  void bytes_field(std::uint32_t field, const void* data, std::size_t size) {
    make_room(kMaxFieldHeader + size);
    put_varint((field << 3) | kLengthDelimited);
    put_varint(size);
    if (size != 0) std::memcpy(&out_[size_], data, size);
    size_ += size;
  }
  void string_field(std::uint32_t field, std::string_view text) {
    bytes_field(field, text.data(), text.size());
  }

  // The tag and length of a nested message whose size is known beforehand: the content follows.
  void message_header(std::uint32_t field, std::size_t size) {
    make_room(kMaxFieldHeader);
    put_varint((field << 3) | kLengthDelimited);
    put_varint(size);
  }

  static constexpr std::size_t varint_size(std::uint64_t value) noexcept {
    std::size_t size = 1;
    while (value >= 0x80) {
      value >>= 7;
      ++size;
    }
    return size;
  }
  // The encoded size of a length-delimited field with a one-byte tag (field numbers below 16).
  static constexpr std::size_t length_delimited_size(std::size_t content) noexcept {
    return 1 + varint_size(content) + content;
  }

  // Returns where the message's content starts; pass it to end_message().
  std::size_t begin_message(std::uint32_t field) {
    make_room(kMaxFieldHeader);
    put_varint((field << 3) | kLengthDelimited);
    size_ += kMaxLengthBytes;
    return size_;
  }

  void end_message(std::size_t content_start) {
    const std::size_t length = size_ - content_start;
    char* const reserved = &out_[content_start - kMaxLengthBytes];
    char prefix[10];  // room for any varint, although lengths stay below 4 GiB
    const std::size_t prefix_size = encode_varint(length, prefix);
    std::memcpy(reserved, prefix, prefix_size);
    if (prefix_size != kMaxLengthBytes) {
      std::memmove(reserved + prefix_size, reserved + kMaxLengthBytes, length);
      size_ -= kMaxLengthBytes - prefix_size;
    }
  }

 private:
  // A message is at most 4 GiB long: five varint bytes.
  static constexpr std::size_t kMaxLengthBytes = 5;
  // A tag (at most 5 bytes) and a varint, fixed64 or length (at most 10).
  static constexpr std::size_t kMaxFieldHeader = 15;
  static constexpr std::size_t kInitialRoom = 4096;

  static std::size_t encode_varint(std::uint64_t value, char* out) noexcept {
    std::size_t size = 0;
    while (value >= 0x80) {
      out[size++] = static_cast<char>((value & 0x7f) | 0x80);
      value >>= 7;
    }
    out[size++] = static_cast<char>(value);
    return size;
  }

  void make_room(std::size_t bytes) {
    if (out_.size() - size_ < bytes) out_.resize(std::max(out_.size() * 2, size_ + bytes));
  }

  void put_varint(std::uint64_t value) noexcept { size_ += encode_varint(value, &out_[size_]); }

  void put_little_endian(std::uint64_t value, std::size_t bytes) noexcept {
    for (std::size_t index = 0; index < bytes; ++index) {
      out_[size_ + index] = static_cast<char>(value >> (8 * index));
    }
    size_ += bytes;
  }

  std::string& out_;
  std::size_t size_;  // what has been written; out_.size() is the room
};

}  // namespace weft::detail
