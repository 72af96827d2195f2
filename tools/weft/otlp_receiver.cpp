#include "otlp_receiver.h"

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "otlp_proto_json.h"

namespace weft::cli {
namespace {

// The member `name` of `object`, or nullptr when it is absent or null: the protobuf JSON mapping,
// which OTLP/JSON follows, takes null as the field's default value (no list, no message, no id).
const nlohmann::json* field(const nlohmann::json& object, const char* name) {
  const auto found = object.find(name);
  if (found == object.end() || found->is_null()) return nullptr;
  return &*found;
}

// `digits` hex digits, not all zero: a valid trace or span id.
bool is_valid_id(const nlohmann::json* value, std::size_t digits) {
  if (value == nullptr || !value->is_string()) return false;
  const std::string& text = value->get_ref<const std::string&>();
  if (text.size() != digits) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  }
  return text.find_first_not_of('0') != std::string::npos;
}

// An optional id (parentSpanId): absent, empty, all zeros (a root) or a valid id.
bool is_optional_id(const nlohmann::json& object, const char* name, std::size_t digits) {
  const nlohmann::json* value = field(object, name);
  if (value == nullptr) return true;
  if (!value->is_string()) return false;
  const std::string& text = value->get_ref<const std::string&>();
  return text.empty() || text == std::string(digits, '0') || is_valid_id(value, digits);
}

// The ids of a span or a link: without them a reader cannot place it in a trace.
std::string check_ids(const nlohmann::json& object, const char* what) {
  if (!is_valid_id(field(object, "traceId"), 32)) {
    return std::string(what) + " has no valid traceId (32 hex digits, not all zero)";
  }
  if (!is_valid_id(field(object, "spanId"), 16)) {
    return std::string(what) + " has no valid spanId (16 hex digits, not all zero)";
  }
  return {};
}

// The shape `weft view` and OTLP/JSON readers rely on; returns the problem, or "" if none.
std::string check_request(const nlohmann::json& request, std::size_t& span_count) {
  if (!request.is_object()) return "the body is not a JSON object";
  const nlohmann::json* resource_spans = field(request, "resourceSpans");
  if (resource_spans == nullptr) return {};
  if (!resource_spans->is_array()) return "resourceSpans is not an array";
  for (const auto& resource : *resource_spans) {
    if (!resource.is_object()) return "a resourceSpans entry is not an object";
    const nlohmann::json* scope_spans = field(resource, "scopeSpans");
    if (scope_spans == nullptr) continue;
    if (!scope_spans->is_array()) return "scopeSpans is not an array";
    for (const auto& scope : *scope_spans) {
      if (!scope.is_object()) return "a scopeSpans entry is not an object";
      const nlohmann::json* spans = field(scope, "spans");
      if (spans == nullptr) continue;
      if (!spans->is_array()) return "spans is not an array";
      for (const auto& span : *spans) {
        if (!span.is_object()) return "a span is not an object";
        if (std::string problem = check_ids(span, "a span"); !problem.empty()) return problem;
        if (!is_optional_id(span, "parentSpanId", 16)) return "a span has a malformed parentSpanId";
        if (const nlohmann::json* links = field(span, "links")) {
          if (!links->is_array()) return "links is not an array";
          for (const auto& link : *links) {
            if (!link.is_object()) return "a link is not an object";
            if (std::string problem = check_ids(link, "a link"); !problem.empty()) return problem;
          }
        }
        ++span_count;
      }
    }
  }
  return {};
}

std::string media_type(std::string_view content_type) {
  std::string type(content_type.substr(0, content_type.find(';')));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return type;
}

// The protobuf JSON mapping, which OTLP/JSON follows, has parsers accept a field's original name
// ("resource_spans", "trace_id") as well as its lowerCamelCase one, and the OpenTelemetry
// Collector does. Object keys in OTLP/JSON are only ever field names (attribute keys are values:
// {"key": ..., "value": ...}), so every key with an underscore is renamed, at every depth.
std::string camel_case(const std::string& name) {
  std::string camel;
  camel.reserve(name.size());
  bool upper_next = false;
  for (char c : name) {
    if (c == '_') {
      upper_next = !camel.empty();
    } else {
      camel.push_back(upper_next && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
      upper_next = false;
    }
  }
  return camel;
}

// Renames the keys of `object` that have an underscore, unless the request also has the
// lowerCamelCase spelling (which then wins).
void rename_original_field_names(nlohmann::json& object) {
  bool any = false;
  for (const auto& member : object.items()) any = any || member.key().find('_') != std::string::npos;
  if (!any) return;
  nlohmann::json renamed = nlohmann::json::object();
  for (auto& member : object.items()) {
    const std::string name = camel_case(member.key());
    if (name == member.key() || !object.contains(name)) renamed[name] = std::move(member.value());
  }
  object = std::move(renamed);
}

// Walks the whole request with a stack of its own: a hostile body may nest arrays deeper than the
// thread's stack would allow a recursive walk.
void accept_original_field_names(nlohmann::json& request) {
  std::vector<nlohmann::json*> pending{&request};
  while (!pending.empty()) {
    nlohmann::json& value = *pending.back();
    pending.pop_back();
    if (value.is_object()) {
      rename_original_field_names(value);
      for (auto& member : value.items()) pending.push_back(&member.value());
    } else if (value.is_array()) {
      for (auto& element : value) pending.push_back(&element);
    }
  }
}

ReceivedTraces rejected(int status, std::string error) {
  ReceivedTraces result;
  result.status = status;
  result.error = std::move(error);
  return result;
}

}  // namespace

ReceivedTraces receive_traces(std::string_view body, std::string_view content_type) {
  const std::string type = media_type(content_type);
  nlohmann::json request;
  if (type == "application/x-protobuf" || type == "application/protobuf") {
    std::string error;
    auto decoded = otlp_proto_request_to_json(body, error);
    if (!decoded) return rejected(400, "malformed protobuf ExportTraceServiceRequest: " + error);
    request = std::move(*decoded);
  } else if (type == "application/json") {
    request = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (request.is_discarded()) return rejected(400, "the body is not valid JSON");
    accept_original_field_names(request);
  } else {
    return rejected(415, "Content-Type must be application/x-protobuf or application/json, not \"" +
                             std::string(content_type) + "\"");
  }
  ReceivedTraces result;
  if (std::string problem = check_request(request, result.span_count); !problem.empty()) {
    return rejected(400, "malformed ExportTraceServiceRequest: " + problem);
  }
  if (result.span_count > 0) {
    // Invalid UTF-8 in a JSON body is replaced rather than refused: the spans are still worth
    // keeping, and the line stays valid JSON.
    result.line = request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return result;
}

std::string response_body(bool json, const ReceivedTraces& received) {
  if (received.status == 200) return json ? "{}" : std::string();
  if (json) return nlohmann::json{{"code", 3}, {"message", received.error}}.dump();
  // google.rpc.Status: code (1, varint; 3 is INVALID_ARGUMENT), message (2, string).
  std::string body = "\x08\x03";
  body.push_back(0x12);
  std::size_t length = received.error.size();
  while (length >= 0x80) {
    body.push_back(static_cast<char>((length & 0x7f) | 0x80));
    length >>= 7;
  }
  body.push_back(static_cast<char>(length));
  return body + received.error;
}

}  // namespace weft::cli
