#include "otlp_receiver.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "otlp_proto_json.h"
#include "trace_line.h"

namespace weft::cli {
namespace {

bool is_protobuf(const std::string& type) {
  return type == "application/x-protobuf" || type == "application/protobuf";
}

bool is_json(const std::string& type) { return type == "application/json"; }

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

// Deeper than any request weft's protobuf decoder lets through (32 messages), and far deeper than
// real ones. nlohmann's dump(), which writes the stored line, recurses once per level: a body of
// a few MiB of "[" would otherwise exhaust a worker thread's stack.
constexpr std::size_t kMaxJsonDepth = 128;

// Walks the whole request with a stack of its own (a hostile body may nest arrays deeper than the
// thread's stack would allow a recursive walk), renaming the original field names. False when
// the request is nested deeper than kMaxJsonDepth.
bool accept_original_field_names(nlohmann::json& request) {
  std::vector<std::pair<nlohmann::json*, std::size_t>> pending{{&request, 1}};
  while (!pending.empty()) {
    auto [value, depth] = pending.back();
    pending.pop_back();
    if (depth > kMaxJsonDepth && (value->is_object() || value->is_array())) return false;
    if (value->is_object()) {
      rename_original_field_names(*value);
      for (auto& member : value->items()) pending.emplace_back(&member.value(), depth + 1);
    } else if (value->is_array()) {
      for (auto& element : *value) pending.emplace_back(&element, depth + 1);
    }
  }
  return true;
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
  if (is_protobuf(type)) {
    std::string error;
    auto decoded = otlp_proto_request_to_json(body, error);
    if (!decoded) return rejected(400, "malformed protobuf ExportTraceServiceRequest: " + error);
    request = std::move(*decoded);
  } else if (is_json(type)) {
    request = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (request.is_discarded()) return rejected(400, "the body is not valid JSON");
    if (!accept_original_field_names(request)) {
      return rejected(400, "the body nests objects and arrays more than " +
                               std::to_string(kMaxJsonDepth) + " levels deep");
    }
  } else {
    return rejected(415, "Content-Type must be application/x-protobuf or application/json, not \"" +
                             std::string(content_type) + "\"");
  }
  // Invalid UTF-8 in a JSON body is replaced rather than refused: the spans are still worth
  // keeping, and the line stays valid JSON.
  std::string line = request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  // The line is read as weft view and weft check will read it, by the same code: a request they
  // would skip (and with it every span of the request) is refused now, saying why.
  std::vector<SpanRecord> spans;
  if (const std::optional<LineProblem> problem = read_line(line, "request", spans)) {
    return rejected(400, "malformed ExportTraceServiceRequest: " +
                             (problem->path.empty() ? "" : problem->path + ": ") + problem->reason);
  }
  ReceivedTraces result;
  result.span_count = spans.size();
  if (result.span_count > 0) result.line = std::move(line);
  return result;
}

std::string media_type(std::string_view content_type) {
  std::string type(content_type.substr(0, content_type.find(';')));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return type;
}

std::string response_content_type(std::string_view content_type) {
  const std::string type = media_type(content_type);
  return is_protobuf(type) || is_json(type) ? type : "application/x-protobuf";
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
