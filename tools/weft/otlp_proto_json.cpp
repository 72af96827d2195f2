#include "otlp_proto_json.h"

#include <cmath>

#include "export/proto_reader.h"

namespace weft::cli {
namespace {

// How a field's value is written in OTLP/JSON.
enum class Kind {
  kString,
  kId,       // bytes written as lowercase hex (trace and span ids)
  kBytes,    // bytes written as base64 (AnyValue.bytes_value)
  kNumber,   // uint32: a JSON number
  kEnum,     // int32 enums: a JSON number
  kInt64,    // int64: a decimal string
  kFixed64,  // fixed64: a decimal string
  kFixed32,  // a JSON number
  kDouble,
  kBool,
  kMessage,
};

struct MessageSpec;

struct FieldSpec {
  std::uint32_t number;
  const char* json_name;
  Kind kind;
  bool repeated;
  const MessageSpec* message;  // for kMessage
  std::size_t id_size;         // for kId: 16 or 8 (an empty id is allowed: it means "none")
};

struct MessageSpec {
  const FieldSpec* fields;
  std::size_t count;
};

template <std::size_t N>
constexpr MessageSpec spec_of(const FieldSpec (&fields)[N]) {
  return MessageSpec{fields, N};
}

// Field numbers of opentelemetry/proto v1 (common, resource, trace, collector/trace).
extern const MessageSpec kAnyValue;
extern const MessageSpec kKeyValue;

const FieldSpec kArrayValueFields[] = {{1, "values", Kind::kMessage, true, &kAnyValue, 0}};
const MessageSpec kArrayValue = spec_of(kArrayValueFields);
const FieldSpec kKeyValueListFields[] = {{1, "values", Kind::kMessage, true, &kKeyValue, 0}};
const MessageSpec kKeyValueList = spec_of(kKeyValueListFields);
const FieldSpec kAnyValueFields[] = {
    {1, "stringValue", Kind::kString, false, nullptr, 0},
    {2, "boolValue", Kind::kBool, false, nullptr, 0},
    {3, "intValue", Kind::kInt64, false, nullptr, 0},
    {4, "doubleValue", Kind::kDouble, false, nullptr, 0},
    {5, "arrayValue", Kind::kMessage, false, &kArrayValue, 0},
    {6, "kvlistValue", Kind::kMessage, false, &kKeyValueList, 0},
    {7, "bytesValue", Kind::kBytes, false, nullptr, 0},
};
const MessageSpec kAnyValue = spec_of(kAnyValueFields);
const FieldSpec kKeyValueFields[] = {{1, "key", Kind::kString, false, nullptr, 0},
                                     {2, "value", Kind::kMessage, false, &kAnyValue, 0}};
const MessageSpec kKeyValue = spec_of(kKeyValueFields);

const FieldSpec kResourceFields[] = {
    {1, "attributes", Kind::kMessage, true, &kKeyValue, 0},
    {2, "droppedAttributesCount", Kind::kNumber, false, nullptr, 0}};
const MessageSpec kResource = spec_of(kResourceFields);
const FieldSpec kScopeFields[] = {{1, "name", Kind::kString, false, nullptr, 0},
                                  {2, "version", Kind::kString, false, nullptr, 0},
                                  {3, "attributes", Kind::kMessage, true, &kKeyValue, 0},
                                  {4, "droppedAttributesCount", Kind::kNumber, false, nullptr, 0}};
const MessageSpec kScope = spec_of(kScopeFields);

const FieldSpec kEventFields[] = {{1, "timeUnixNano", Kind::kFixed64, false, nullptr, 0},
                                  {2, "name", Kind::kString, false, nullptr, 0},
                                  {3, "attributes", Kind::kMessage, true, &kKeyValue, 0},
                                  {4, "droppedAttributesCount", Kind::kNumber, false, nullptr, 0}};
const MessageSpec kEvent = spec_of(kEventFields);
const FieldSpec kLinkFields[] = {{1, "traceId", Kind::kId, false, nullptr, 16},
                                 {2, "spanId", Kind::kId, false, nullptr, 8},
                                 {3, "traceState", Kind::kString, false, nullptr, 0},
                                 {4, "attributes", Kind::kMessage, true, &kKeyValue, 0},
                                 {5, "droppedAttributesCount", Kind::kNumber, false, nullptr, 0},
                                 {6, "flags", Kind::kFixed32, false, nullptr, 0}};
const MessageSpec kLink = spec_of(kLinkFields);
const FieldSpec kStatusFields[] = {{2, "message", Kind::kString, false, nullptr, 0},
                                   {3, "code", Kind::kEnum, false, nullptr, 0}};
const MessageSpec kStatus = spec_of(kStatusFields);
const FieldSpec kSpanFields[] = {
    {1, "traceId", Kind::kId, false, nullptr, 16},
    {2, "spanId", Kind::kId, false, nullptr, 8},
    {3, "traceState", Kind::kString, false, nullptr, 0},
    {4, "parentSpanId", Kind::kId, false, nullptr, 8},
    {16, "flags", Kind::kFixed32, false, nullptr, 0},
    {5, "name", Kind::kString, false, nullptr, 0},
    {6, "kind", Kind::kEnum, false, nullptr, 0},
    {7, "startTimeUnixNano", Kind::kFixed64, false, nullptr, 0},
    {8, "endTimeUnixNano", Kind::kFixed64, false, nullptr, 0},
    {9, "attributes", Kind::kMessage, true, &kKeyValue, 0},
    {10, "droppedAttributesCount", Kind::kNumber, false, nullptr, 0},
    {11, "events", Kind::kMessage, true, &kEvent, 0},
    {12, "droppedEventsCount", Kind::kNumber, false, nullptr, 0},
    {13, "links", Kind::kMessage, true, &kLink, 0},
    {14, "droppedLinksCount", Kind::kNumber, false, nullptr, 0},
    {15, "status", Kind::kMessage, false, &kStatus, 0},
};
const MessageSpec kSpan = spec_of(kSpanFields);
const FieldSpec kScopeSpansFields[] = {{1, "scope", Kind::kMessage, false, &kScope, 0},
                                       {2, "spans", Kind::kMessage, true, &kSpan, 0},
                                       {3, "schemaUrl", Kind::kString, false, nullptr, 0}};
const MessageSpec kScopeSpans = spec_of(kScopeSpansFields);
const FieldSpec kResourceSpansFields[] = {{1, "resource", Kind::kMessage, false, &kResource, 0},
                                          {2, "scopeSpans", Kind::kMessage, true, &kScopeSpans, 0},
                                          {3, "schemaUrl", Kind::kString, false, nullptr, 0}};
const MessageSpec kResourceSpans = spec_of(kResourceSpansFields);
const FieldSpec kRequestFields[] = {{1, "resourceSpans", Kind::kMessage, true, &kResourceSpans, 0}};
const MessageSpec kRequest = spec_of(kRequestFields);

// Deep enough for any real attribute value; stops a crafted body from exhausting the stack.
constexpr int kMaxDepth = 32;

std::uint32_t wire_type_of(Kind kind) {
  switch (kind) {
    case Kind::kNumber:
    case Kind::kEnum:
    case Kind::kInt64:
    case Kind::kBool:
      return 0;
    case Kind::kFixed64:
    case Kind::kDouble:
      return 1;
    case Kind::kFixed32:
      return 5;
    default:
      return 2;
  }
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (unsigned char byte : bytes) {
    hex.push_back(kDigits[byte >> 4]);
    hex.push_back(kDigits[byte & 15]);
  }
  return hex;
}

std::string to_base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string text;
  std::size_t index = 0;
  for (; index + 2 < bytes.size(); index += 3) {
    const unsigned value = (static_cast<unsigned char>(bytes[index]) << 16) |
                           (static_cast<unsigned char>(bytes[index + 1]) << 8) |
                           static_cast<unsigned char>(bytes[index + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) text.push_back(kAlphabet[(value >> shift) & 63]);
  }
  if (index < bytes.size()) {
    unsigned value = static_cast<unsigned char>(bytes[index]) << 16;
    if (index + 1 < bytes.size()) value |= static_cast<unsigned char>(bytes[index + 1]) << 8;
    text.push_back(kAlphabet[(value >> 18) & 63]);
    text.push_back(kAlphabet[(value >> 12) & 63]);
    text.push_back(index + 1 < bytes.size() ? kAlphabet[(value >> 6) & 63] : '=');
    text.push_back('=');
  }
  return text;
}

// The protobuf JSON mapping writes NaN and the infinities as strings; as a number nlohmann would
// write them as null, and the value would be lost.
nlohmann::json double_as_json(double number) {
  if (std::isnan(number)) return "NaN";
  if (std::isinf(number)) return number > 0 ? "Infinity" : "-Infinity";
  return number;
}

class Decoder {
 public:
  explicit Decoder(std::string& error) : error_(error) {}

  bool decode(std::string_view data, const MessageSpec& spec, nlohmann::json& out, int depth) {
    if (depth > kMaxDepth) return fail("values nested too deeply");
    out = nlohmann::json::object();
    detail::ProtoReader reader(data);
    while (reader.next()) {
      const FieldSpec* field = find(spec, reader.field());
      if (field == nullptr) continue;  // unknown fields are skipped, as protobuf requires
      if (reader.wire_type() != wire_type_of(field->kind)) {
        return fail(std::string("field ") + field->json_name + " has the wrong wire type");
      }
      nlohmann::json value;
      if (!convert(reader, *field, value, depth)) return false;
      if (field->repeated) {
        out[field->json_name].push_back(std::move(value));
      } else {
        out[field->json_name] = std::move(value);
      }
    }
    if (reader.failed()) return fail("truncated or malformed protobuf");
    return true;
  }

 private:
  static const FieldSpec* find(const MessageSpec& spec, std::uint32_t number) {
    for (std::size_t index = 0; index < spec.count; ++index) {
      if (spec.fields[index].number == number) return &spec.fields[index];
    }
    return nullptr;
  }

  bool convert(const detail::ProtoReader& reader, const FieldSpec& field, nlohmann::json& value,
               int depth) {
    switch (field.kind) {
      case Kind::kString:
        value = std::string(reader.bytes());
        return valid_utf8(reader.bytes()) || fail(std::string(field.json_name) + " is not UTF-8");
      case Kind::kId:
        if (!reader.bytes().empty() && reader.bytes().size() != field.id_size) {
          return fail(std::string(field.json_name) + " must be " + std::to_string(field.id_size) +
                      " bytes, not " + std::to_string(reader.bytes().size()));
        }
        value = to_hex(reader.bytes());
        return true;
      case Kind::kBytes:
        value = to_base64(reader.bytes());
        return true;
      // A varint wider than the field keeps its low 32 bits, as protobuf's own parsers do
      // (found by collect_proto_fuzz: a 64-bit "kind" was stored, and weft view refused it).
      case Kind::kNumber:
      case Kind::kFixed32:
        value = static_cast<std::uint32_t>(reader.value());
        return true;
      case Kind::kEnum:
        value = static_cast<std::int32_t>(static_cast<std::uint32_t>(reader.value()));
        return true;
      case Kind::kInt64:
        value = std::to_string(static_cast<std::int64_t>(reader.value()));
        return true;
      case Kind::kFixed64:
        value = std::to_string(reader.value());
        return true;
      case Kind::kDouble:
        value = double_as_json(reader.as_double());
        return true;
      case Kind::kBool:
        value = reader.value() != 0;
        return true;
      case Kind::kMessage:
        return decode(reader.bytes(), *field.message, value, depth + 1);
    }
    return false;
  }

  static bool valid_utf8(std::string_view text) {
    std::size_t index = 0;
    while (index < text.size()) {
      const auto byte = static_cast<unsigned char>(text[index]);
      std::size_t length = byte < 0x80         ? 1
                           : (byte >> 5) == 6  ? 2
                           : (byte >> 4) == 14 ? 3
                           : (byte >> 3) == 30 ? 4
                                               : 0;
      if (length == 0 || index + length > text.size()) return false;
      for (std::size_t next = 1; next < length; ++next) {
        if ((static_cast<unsigned char>(text[index + next]) & 0xc0) != 0x80) return false;
      }
      index += length;
    }
    return true;
  }

  bool fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return false;
  }

  std::string& error_;
};

}  // namespace

std::optional<nlohmann::json> otlp_proto_request_to_json(std::string_view body,
                                                         std::string& error) {
  error.clear();
  nlohmann::json request;
  Decoder decoder(error);
  if (!decoder.decode(body, kRequest, request, 0)) return std::nullopt;
  return request;
}

}  // namespace weft::cli
