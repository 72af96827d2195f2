#include "trace/attribute_bytes.h"

#include <algorithm>

namespace weft::detail {

AttributeBytes& AttributeBytes::operator=(const AttributeBytes& other) {
  if (this != &other) {
    reserve(other.size_);
    if (other.size_ != 0) std::memcpy(data_.get(), other.data_.get(), other.size_);
    size_ = other.size_;
    count_ = other.count_;
    key_bits_ = other.key_bits_;
  }
  return *this;
}

std::size_t AttributeBytes::find(std::string_view key) const noexcept {
  const char* data = data_.get();
  std::size_t at = 0;
  while (at < size_) {
    std::uint32_t key_size;
    std::memcpy(&key_size, data + at, sizeof key_size);
    const char* entry_key = data + at + sizeof key_size;
    if (same_text(std::string_view(entry_key, key_size), key)) return at;
    const char* value = entry_key + key_size;
    at = static_cast<std::size_t>(value - data) + 1 +
         attribute_value_size(static_cast<AttributeType>(value[0]), value + 1);
  }
  return size_;
}

char* AttributeBytes::replace_value(std::size_t at, std::size_t new_size) {
  const char* old = data_.get() + at;
  const std::size_t old_size =
      1 + attribute_value_size(static_cast<AttributeType>(old[0]), old + 1);
  if (old_size == new_size) return data_.get() + at;
  const std::size_t rest = size_ - at - old_size;
  char* data = reserve(size_ - old_size + new_size);
  std::memmove(data + at + new_size, data + at + old_size, rest);
  size_ = size_ - old_size + new_size;
  return data + at;
}

void AttributeBytes::grow(std::size_t size) {
  const std::size_t capacity = std::max({size, 2 * capacity_, std::size_t{128}});
  std::unique_ptr<char[]> data(new char[capacity]);
  if (size_ != 0) std::memcpy(data.get(), data_.get(), size_);
  data_ = std::move(data);
  capacity_ = capacity;
}

void AttributeBytes::move_to(Attributes& out) {
  const std::size_t had = out.size();
  try {
    append_to(out);
  } catch (...) {
    out.resize(had);  // all or nothing: the attributes stay here
    throw;
  }
  clear();
}

void AttributeBytes::append_to(Attributes& out) const {
  out.reserve(out.size() + count_);
  const char* data = data_.get();
  std::size_t at = 0;
  while (at < size_) {
    std::uint32_t key_size;
    std::memcpy(&key_size, data + at, sizeof key_size);
    const std::string_view key(data + at + sizeof key_size, key_size);
    const char* value = key.data() + key_size;
    const auto type = static_cast<AttributeType>(value[0]);
    switch (type) {
      case AttributeType::kBool:
        out.emplace_back(key, std::in_place_type<bool>, value[1] != 0);
        break;
      case AttributeType::kInt: {
        std::int64_t number;
        std::memcpy(&number, value + 1, sizeof number);
        out.emplace_back(key, std::in_place_type<std::int64_t>, number);
        break;
      }
      case AttributeType::kDouble: {
        double real;
        std::memcpy(&real, value + 1, sizeof real);
        out.emplace_back(key, std::in_place_type<double>, real);
        break;
      }
      case AttributeType::kString: {
        std::uint32_t length;
        std::memcpy(&length, value + 1, sizeof length);
        out.emplace_back(key, std::in_place_type<std::string>,
                         std::string_view(value + 1 + sizeof length, length));
        break;
      }
    }
    at = static_cast<std::size_t>(value - data) + 1 + attribute_value_size(type, value + 1);
  }
}

}  // namespace weft::detail
