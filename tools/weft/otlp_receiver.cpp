#include "otlp_receiver.h"

#include <nlohmann/json.hpp>

#include "otlp_proto_json.h"

namespace weft::cli {
namespace {

bool is_hex_id(const nlohmann::json& value, std::size_t digits) {
  if (!value.is_string()) return false;
  const std::string& text = value.get_ref<const std::string&>();
  if (text.empty()) return true;
  if (text.size() != digits) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  }
  return true;
}

// The shape `weft view` and OTLP/JSON readers rely on; returns the problem, or "" if none.
std::string check_request(const nlohmann::json& request, std::size_t& span_count) {
  if (!request.is_object()) return "the body is not a JSON object";
  if (!request.contains("resourceSpans")) return {};
  const auto& resource_spans = request["resourceSpans"];
  if (!resource_spans.is_array()) return "resourceSpans is not an array";
  for (const auto& resource : resource_spans) {
    if (!resource.is_object()) return "a resourceSpans entry is not an object";
    if (!resource.contains("scopeSpans")) continue;
    if (!resource["scopeSpans"].is_array()) return "scopeSpans is not an array";
    for (const auto& scope : resource["scopeSpans"]) {
      if (!scope.is_object()) return "a scopeSpans entry is not an object";
      if (!scope.contains("spans")) continue;
      if (!scope["spans"].is_array()) return "spans is not an array";
      for (const auto& span : scope["spans"]) {
        if (!span.is_object()) return "a span is not an object";
        if (!span.contains("traceId") || !is_hex_id(span["traceId"], 32)) {
          return "a span has no valid traceId (32 hex digits)";
        }
        if (!span.contains("spanId") || !is_hex_id(span["spanId"], 16)) {
          return "a span has no valid spanId (16 hex digits)";
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
