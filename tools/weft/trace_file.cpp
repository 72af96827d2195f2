#include "trace_file.h"

#include <fstream>

#include <nlohmann/json.hpp>

namespace weft::cli {
namespace {

using nlohmann::json;

// The OTLP/JSON encoding uses lowerCamelCase names; receivers also accept the proto names.
const json* member(const json& object, const char* camel, const char* snake) {
  if (!object.is_object()) return nullptr;
  auto found = object.find(camel);
  if (found != object.end()) return &*found;
  found = object.find(snake);
  return found != object.end() ? &*found : nullptr;
}

const json& array_member(const json& object, const char* camel, const char* snake) {
  static const json kEmpty = json::array();
  const json* found = member(object, camel, snake);
  return found != nullptr && found->is_array() ? *found : kEmpty;
}

std::uint64_t to_uint64(const json* value) {
  if (value == nullptr) return 0;
  if (value->is_number_unsigned()) return value->get<std::uint64_t>();
  if (value->is_number_integer()) return static_cast<std::uint64_t>(value->get<std::int64_t>());
  if (value->is_string()) return std::stoull(value->get<std::string>());
  throw std::runtime_error("expected an integer");
}

int to_enum(const json* value, const std::vector<std::string>& names) {
  if (value == nullptr) return 0;
  if (value->is_number_integer()) return value->get<int>();
  if (value->is_string()) {
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (names[i] == value->get<std::string>()) return static_cast<int>(i);
    }
  }
  return 0;
}

std::string display_value(const json& value, int depth = 0) {
  if (depth > 16) return "...";
  if (!value.is_object()) return value.dump();
  if (const json* text = member(value, "stringValue", "string_value")) {
    return text->is_string() ? text->get<std::string>() : text->dump();
  }
  if (const json* flag = member(value, "boolValue", "bool_value")) return flag->dump();
  if (const json* number = member(value, "intValue", "int_value")) {
    return number->is_string() ? number->get<std::string>() : number->dump();
  }
  if (const json* number = member(value, "doubleValue", "double_value")) return number->dump();
  if (const json* bytes = member(value, "bytesValue", "bytes_value")) return bytes->dump();
  if (const json* array = member(value, "arrayValue", "array_value")) {
    std::string text = "[";
    for (const json& element : array_member(*array, "values", "values")) {
      if (text.size() > 1) text += ", ";
      text += display_value(element, depth + 1);
    }
    return text + "]";
  }
  if (const json* list = member(value, "kvlistValue", "kvlist_value")) {
    std::string text = "{";
    for (const json& entry : array_member(*list, "values", "values")) {
      if (text.size() > 1) text += ", ";
      const json* key = member(entry, "key", "key");
      const json* inner = member(entry, "value", "value");
      text += (key != nullptr && key->is_string() ? key->get<std::string>() : "?") + "=" +
              (inner != nullptr ? display_value(*inner, depth + 1) : "");
    }
    return text + "}";
  }
  return "";
}

std::vector<std::pair<std::string, std::string>> read_attributes(const json& owner) {
  std::vector<std::pair<std::string, std::string>> attributes;
  for (const json& entry : array_member(owner, "attributes", "attributes")) {
    const json* key = member(entry, "key", "key");
    const json* value = member(entry, "value", "value");
    if (key == nullptr || !key->is_string()) throw std::runtime_error("attribute without a key");
    attributes.emplace_back(key->get<std::string>(), value != nullptr ? display_value(*value) : "");
  }
  return attributes;
}

std::string lowercase_id(const json* value, std::size_t length, bool required) {
  if (value == nullptr || (value->is_string() && value->get<std::string>().empty())) {
    if (required) throw std::runtime_error("missing id");
    return {};
  }
  if (!value->is_string()) throw std::runtime_error("id is not a string");
  std::string id = value->get<std::string>();
  if (id.size() != length) throw std::runtime_error("id of wrong length: " + id);
  for (char& c : id) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      throw std::runtime_error("id is not hex: " + id);
    }
  }
  return id;
}

ViewedSpan read_span(const json& span) {
  static const std::vector<std::string> kKinds = {
      "SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER",
      "SPAN_KIND_CLIENT",      "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"};
  static const std::vector<std::string> kStatus = {"STATUS_CODE_UNSET", "STATUS_CODE_OK",
                                                   "STATUS_CODE_ERROR"};
  ViewedSpan viewed;
  viewed.trace_id = lowercase_id(member(span, "traceId", "trace_id"), 32, true);
  viewed.span_id = lowercase_id(member(span, "spanId", "span_id"), 16, true);
  viewed.parent_span_id = lowercase_id(member(span, "parentSpanId", "parent_span_id"), 16, false);
  const json* name = member(span, "name", "name");
  viewed.name = name != nullptr && name->is_string() ? name->get<std::string>() : "";
  viewed.kind = to_enum(member(span, "kind", "kind"), kKinds);
  viewed.start_ns = to_uint64(member(span, "startTimeUnixNano", "start_time_unix_nano"));
  viewed.end_ns = to_uint64(member(span, "endTimeUnixNano", "end_time_unix_nano"));
  viewed.attributes = read_attributes(span);
  for (const json& event : array_member(span, "events", "events")) {
    const json* event_name = member(event, "name", "name");
    std::string text;
    for (const auto& [key, value] : read_attributes(event)) {
      text += (text.empty() ? "" : ", ") + key + "=" + value;
    }
    viewed.events.emplace_back(
        event_name != nullptr && event_name->is_string() ? event_name->get<std::string>() : "",
        text);
  }
  if (const json* status = member(span, "status", "status")) {
    viewed.status_code = to_enum(member(*status, "code", "code"), kStatus);
    const json* message = member(*status, "message", "message");
    if (message != nullptr && message->is_string()) viewed.status_message = *message;
  }
  return viewed;
}

void read_line(const std::string& line, TraceFile& file) {
  const json request = json::parse(line);
  if (!request.is_object()) throw std::runtime_error("not a JSON object");
  std::vector<ViewedSpan> spans;  // kept only when the whole line is good
  for (const json& resource_spans : array_member(request, "resourceSpans", "resource_spans")) {
    std::string service;
    std::string pid;
    if (const json* resource = member(resource_spans, "resource", "resource")) {
      for (const auto& [key, value] : read_attributes(*resource)) {
        if (key == "service.name") service = value;
        if (key == "process.pid") pid = value;
      }
    }
    for (const json& scope_spans : array_member(resource_spans, "scopeSpans", "scope_spans")) {
      for (const json& span : array_member(scope_spans, "spans", "spans")) {
        ViewedSpan viewed = read_span(span);
        viewed.service_name = service;
        viewed.process_id = pid;
        spans.push_back(std::move(viewed));
      }
    }
  }
  for (ViewedSpan& span : spans) file.spans.push_back(std::move(span));
}

}  // namespace

std::string ViewedSpan::attribute(const std::string& key) const {
  for (const auto& [key_name, value] : attributes) {
    if (key_name == key) return value;
  }
  return {};
}

TraceFile read_trace_files(const std::vector<std::string>& paths) {
  TraceFile file;
  for (const std::string& path : paths) {
    std::ifstream input(path);
    if (!input) {
      file.problems.push_back(path + ": cannot open");
      file.unreadable = true;
      continue;
    }
    std::string line;
    for (std::size_t number = 1; std::getline(input, line); ++number) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      try {
        read_line(line, file);
      } catch (const std::exception& error) {
        file.problems.push_back(path + ":" + std::to_string(number) + ": " + error.what());
      }
    }
  }
  return file;
}

}  // namespace weft::cli
