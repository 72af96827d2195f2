#include "trace/attribute_bytes.h"

#include "trace/attribute_limits.h"

namespace weft::detail {

std::size_t AttributeBytes::find(std::string_view key) const noexcept {
  const char* data = buffer_.data();
  const std::size_t size = buffer_.size();
  std::size_t at = 0;
  while (at < size) {
    std::uint32_t key_size;
    std::memcpy(&key_size, data + at, sizeof key_size);
    const char* entry_key = data + at + sizeof key_size;
    if (same_text(std::string_view(entry_key, key_size), key)) return at;
    const char* value = entry_key + key_size;
    at = static_cast<std::size_t>(value - data) + 1 +
         attribute_value_size(static_cast<AttributeType>(value[0]), value + 1);
  }
  return kNotFound;
}

char* AttributeBytes::replace_value(std::size_t at, std::size_t new_size) {
  const char* old = buffer_.data() + at;
  const std::size_t old_size =
      1 + attribute_value_size(static_cast<AttributeType>(old[0]), old + 1);
  if (old_size == new_size) return buffer_.data() + at;
  return buffer_.resize_at(at, old_size, new_size);
}

bool AttributeBytes::put_value(std::string_view key, const AttributeValue& value,
                               std::size_t max_count, std::size_t max_length,
                               std::uint32_t& dropped) {
  if (const auto* text = std::get_if<std::string>(&value)) {
    return put_string(key, truncated_text(*text, max_length), max_count, dropped);
  }
  if (const auto* number = std::get_if<std::int64_t>(&value)) {
    return put_int(key, *number, max_count, dropped);
  }
  if (const auto* real = std::get_if<double>(&value)) {
    return put_double(key, *real, max_count, dropped);
  }
  if (const auto* flag = std::get_if<bool>(&value)) {
    return put_bool(key, *flag, max_count, dropped);
  }
  return false;
}

void AttributeBytes::move_to(Attributes& out) {
  const std::size_t had = out.size();
  try {
    out.reserve(had + count_);
    append_attributes(buffer_.data(), count_, out);
  } catch (...) {
    out.resize(had);  // all or nothing: the attributes stay here
    throw;
  }
  clear();
}

const char* append_attributes(const char* at, std::uint32_t count, Attributes& out) {
  for (std::uint32_t i = 0; i < count; ++i) {
    std::uint32_t key_size;
    std::memcpy(&key_size, at, sizeof key_size);
    const std::string_view key(at + sizeof key_size, key_size);
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
    at = value + 1 + attribute_value_size(type, value + 1);
  }
  return at;
}

}  // namespace weft::detail
