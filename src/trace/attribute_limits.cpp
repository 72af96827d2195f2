#include "trace/attribute_limits.h"

namespace weft::detail {

void truncate_strings(AttributeValue& value, std::size_t max_length) {
  if (auto* text = std::get_if<std::string>(&value)) {
    if (text->size() > max_length) text->resize(max_length);
  } else if (auto* texts = std::get_if<std::vector<std::string>>(&value)) {
    for (std::string& element : *texts) {
      if (element.size() > max_length) element.resize(max_length);
    }
  }
}

}  // namespace weft::detail
