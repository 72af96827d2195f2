// A bounds-checked protobuf reader over a byte range: the exporter reads the collector's
// ExportTraceServiceResponse with it, and `weft collect` decodes requests. Malformed input sets
// failed() and stops the walk; nothing is read past the end.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace weft::detail {

class ProtoReader {
 public:
  explicit ProtoReader(std::string_view data) noexcept : data_(data) {}

  // Advances to the next field; false at the end or on malformed input (see failed()).
  bool next() noexcept {
    if (position_ >= data_.size() || failed_) return false;
    std::uint64_t tag = 0;
    if (!varint(tag)) return false;
    if (!split_tag(tag, field_, wire_type_)) return false;
    if (wire_type_ == kEndGroup) return fail();  // the end of a group that never started
    return read_value(field_, wire_type_, 0);
  }

  std::uint32_t field() const noexcept { return field_; }
  std::uint32_t wire_type() const noexcept { return wire_type_; }
  // The current field's value: integer wire types in value(), length-delimited ones in bytes(),
  // and for a group (wire type 3, which OTLP never uses) its encoded fields in bytes().
  std::uint64_t value() const noexcept { return value_; }
  std::string_view bytes() const noexcept { return bytes_; }
  double as_double() const noexcept {
    double result;
    std::memcpy(&result, &value_, sizeof result);
    return result;
  }
  bool failed() const noexcept { return failed_; }

 private:
  static constexpr std::uint32_t kStartGroup = 3;
  static constexpr std::uint32_t kEndGroup = 4;
  // Groups nested deeper are malformed: skipping them recurses once per level.
  static constexpr int kMaxGroupDepth = 32;

  bool fail() noexcept {
    failed_ = true;
    return false;
  }

  bool split_tag(std::uint64_t tag, std::uint32_t& field, std::uint32_t& wire_type) noexcept {
    if ((tag >> 3) == 0 || (tag >> 3) > 0x1fffffff) return fail();
    field = static_cast<std::uint32_t>(tag >> 3);
    wire_type = static_cast<std::uint32_t>(tag & 7);
    return true;
  }

  // Reads the value of a field whose tag has just been read.
  bool read_value(std::uint32_t field, std::uint32_t wire_type, int group_depth) noexcept {
    switch (wire_type) {
      case 0:
        return varint(value_);
      case 1:
        return fixed(8);
      case 5:
        return fixed(4);
      case 2: {
        std::uint64_t length = 0;
        if (!varint(length) || length > data_.size() - position_) return fail();
        bytes_ = data_.substr(position_, static_cast<std::size_t>(length));
        position_ += static_cast<std::size_t>(length);
        return true;
      }
      case kStartGroup:
        return skip_group(field, group_depth + 1);
      default:
        return fail();
    }
  }

  // Groups are deprecated and OTLP has none, but a protobuf parser skips an unknown one like any
  // other unknown field: up to the end tag of the same field, past any groups nested in it.
  bool skip_group(std::uint32_t group_field, int depth) noexcept {
    if (depth > kMaxGroupDepth) return fail();
    const std::size_t start = position_;
    for (;;) {
      const std::size_t end = position_;
      std::uint64_t tag = 0;
      std::uint32_t field = 0;
      std::uint32_t wire_type = 0;
      if (!varint(tag) || !split_tag(tag, field, wire_type)) return fail();
      if (wire_type == kEndGroup) {
        if (field != group_field) return fail();
        bytes_ = data_.substr(start, end - start);
        return true;
      }
      if (!read_value(field, wire_type, depth)) return false;
    }
  }

  bool varint(std::uint64_t& out) noexcept {
    out = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (position_ >= data_.size()) return fail();
      const auto byte = static_cast<std::uint8_t>(data_[position_++]);
      out |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return true;
    }
    return fail();
  }

  bool fixed(std::size_t size) noexcept {
    if (data_.size() - position_ < size) return fail();
    value_ = 0;
    for (std::size_t index = 0; index < size; ++index) {
      value_ |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(data_[position_ + index]))
                << (8 * index);
    }
    position_ += size;
    return true;
  }

  std::string_view data_;
  std::size_t position_ = 0;
  std::uint32_t field_ = 0;
  std::uint32_t wire_type_ = 0;
  std::uint64_t value_ = 0;
  std::string_view bytes_;
  bool failed_ = false;
};

}  // namespace weft::detail
