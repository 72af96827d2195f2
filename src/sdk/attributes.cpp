#include "weft/attributes.h"

namespace weft {

const AttributeValue* find_attribute(const Attributes& attributes, std::string_view key) noexcept {
  for (const KeyValue& attribute : attributes) {
    if (attribute.key == key) return &attribute.value;
  }
  return nullptr;
}

}  // namespace weft
