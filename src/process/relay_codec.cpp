// Fixed-width integers are written in the host's byte order: both ends are the same machine.
#include "process/relay_codec.h"

#include <cstring>
#include <type_traits>
#include <utility>

namespace weft::detail {
namespace {

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  template <class T>
  void fixed(T value) {
    static_assert(std::is_trivially_copyable_v<T>);
    char bytes[sizeof(T)];
    std::memcpy(bytes, &value, sizeof(T));
    out_.append(bytes, sizeof(T));
  }
  void text(std::string_view value) {
    fixed(static_cast<std::uint32_t>(value.size()));
    out_.append(value);
  }
  template <std::size_t N>
  void id(const std::array<std::uint8_t, N>& bytes) {
    out_.append(reinterpret_cast<const char*>(bytes.data()), N);
  }

  void value(const AttributeValue& value) {
    fixed(static_cast<std::uint8_t>(value.index()));
    std::visit([this](const auto& held) { payload(held); }, value);
  }
  void attributes(const Attributes& attributes) {
    fixed(static_cast<std::uint32_t>(attributes.size()));
    for (const KeyValue& attribute : attributes) {
      text(attribute.key);
      value(attribute.value);
    }
  }
  void span_context(const SpanContext& context) {
    id(context.trace_id.bytes());
    id(context.span_id.bytes());
    fixed(context.flags.value());
    text(context.trace_state.empty() ? std::string() : context.trace_state.to_header());
  }

 private:
  void payload(bool held) { fixed(static_cast<std::uint8_t>(held)); }
  void payload(std::int64_t held) { fixed(held); }
  void payload(double held) { fixed(held); }
  void payload(const std::string& held) { text(held); }
  void payload(const std::vector<bool>& held) {
    fixed(static_cast<std::uint32_t>(held.size()));
    for (bool element : held) fixed(static_cast<std::uint8_t>(element));
  }
  template <class T>
  void payload(const std::vector<T>& held) {
    fixed(static_cast<std::uint32_t>(held.size()));
    for (const T& element : held) payload(element);
  }

  std::string& out_;
};

class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}

  bool ok() const noexcept { return ok_; }
  bool at_end() const noexcept { return bytes_.empty(); }

  template <class T>
  T fixed() {
    T value{};
    if (!take(sizeof(T))) return value;
    std::memcpy(&value, taken_.data(), sizeof(T));
    return value;
  }
  std::string text() {
    const auto size = fixed<std::uint32_t>();
    if (!take(size)) return {};
    return std::string(taken_);
  }
  template <class Id>
  Id id() {
    std::array<std::uint8_t, Id::kSize> bytes{};
    if (take(Id::kSize)) std::memcpy(bytes.data(), taken_.data(), Id::kSize);
    return Id(bytes);
  }
  // A count of elements that take at least `min_size` bytes each, checked against what is left
  // so a forged count cannot make the reader allocate.
  std::uint32_t count(std::size_t min_size) {
    const auto value = fixed<std::uint32_t>();
    if (static_cast<std::size_t>(value) * min_size > bytes_.size()) ok_ = false;
    return ok_ ? value : 0;
  }

  AttributeValue value() {
    switch (fixed<std::uint8_t>()) {
      case 0: return fixed<std::uint8_t>() != 0;
      case 1: return fixed<std::int64_t>();
      case 2: return fixed<double>();
      case 3: return text();
      case 4: {
        std::vector<bool> values(count(1));
        for (std::size_t i = 0; i < values.size(); ++i) values[i] = fixed<std::uint8_t>() != 0;
        return values;
      }
      case 5: return array<std::int64_t>();
      case 6: return array<double>();
      case 7: {
        std::vector<std::string> values(count(4));
        for (std::string& element : values) element = text();
        return values;
      }
      default: ok_ = false; return false;
    }
  }
  Attributes attributes() {
    Attributes result(count(5));
    for (KeyValue& attribute : result) {
      attribute.key = text();
      attribute.value = value();
    }
    return result;
  }
  SpanContext span_context() {
    SpanContext context;
    context.trace_id = id<TraceId>();
    context.span_id = id<SpanId>();
    context.flags = TraceFlags(fixed<std::uint8_t>());
    const std::string trace_state = text();
    if (!trace_state.empty()) {
      if (auto parsed = TraceState::parse(trace_state)) context.trace_state = std::move(*parsed);
    }
    return context;
  }

 private:
  template <class T>
  std::vector<T> array() {
    std::vector<T> values(count(sizeof(T)));
    for (T& element : values) element = fixed<T>();
    return values;
  }
  bool take(std::size_t size) {
    if (!ok_ || size > bytes_.size()) {
      ok_ = false;
      return false;
    }
    taken_ = bytes_.substr(0, size);
    bytes_.remove_prefix(size);
    return true;
  }

  std::string_view bytes_;
  std::string_view taken_;
  bool ok_ = true;
};

void write_header(Writer& writer, RelayMessageType type, std::int32_t pid) {
  writer.fixed(static_cast<std::uint8_t>(type));
  writer.fixed(kRelayFormatVersion);
  writer.fixed(pid);
}

void write_span(Writer& writer, const SpanData& span) {
  writer.span_context(span.context);
  writer.id(span.parent_span_id.bytes());
  writer.fixed(static_cast<std::uint8_t>(span.parent_is_remote));
  writer.text(span.name);
  writer.fixed(static_cast<std::uint8_t>(span.kind));
  writer.fixed(span.start_time_unix_nano);
  writer.fixed(span.end_time_unix_nano);
  writer.attributes(span.attributes);
  writer.fixed(span.dropped_attributes_count);
  writer.fixed(static_cast<std::uint32_t>(span.events.size()));
  for (const Event& event : span.events) {
    writer.text(event.name);
    writer.fixed(event.time_unix_nano);
    writer.attributes(event.attributes);
    writer.fixed(event.dropped_attributes_count);
  }
  writer.fixed(span.dropped_events_count);
  writer.fixed(static_cast<std::uint32_t>(span.links.size()));
  for (const Link& link : span.links) {
    writer.span_context(link.context);
    writer.fixed(static_cast<std::uint8_t>(link.context.is_remote));
    writer.attributes(link.attributes);
    writer.fixed(link.dropped_attributes_count);
  }
  writer.fixed(span.dropped_links_count);
  writer.fixed(static_cast<std::uint8_t>(span.status.code));
  writer.text(span.status.message);
  writer.fixed(span.thread_id);
  writer.text(span.thread_name);
  const InstrumentationScope empty;
  const InstrumentationScope& scope = span.scope != nullptr ? *span.scope : empty;
  writer.text(scope.name);
  writer.text(scope.version);
  writer.text(scope.schema_url);
}

void read_span(Reader& reader, RelayMessage& message) {
  SpanData& span = message.span;
  span.context = reader.span_context();
  span.parent_span_id = reader.id<SpanId>();
  span.parent_is_remote = reader.fixed<std::uint8_t>() != 0;
  span.name = reader.text();
  const auto kind = reader.fixed<std::uint8_t>();
  span.kind = kind >= 1 && kind <= 5 ? static_cast<SpanKind>(kind) : SpanKind::kInternal;
  span.start_time_unix_nano = reader.fixed<std::uint64_t>();
  span.end_time_unix_nano = reader.fixed<std::uint64_t>();
  span.attributes = reader.attributes();
  span.dropped_attributes_count = reader.fixed<std::uint32_t>();
  span.events.resize(reader.count(20));
  for (Event& event : span.events) {
    event.name = reader.text();
    event.time_unix_nano = reader.fixed<std::uint64_t>();
    event.attributes = reader.attributes();
    event.dropped_attributes_count = reader.fixed<std::uint32_t>();
  }
  span.dropped_events_count = reader.fixed<std::uint32_t>();
  span.links.resize(reader.count(38));
  for (Link& link : span.links) {
    link.context = reader.span_context();
    link.context.is_remote = reader.fixed<std::uint8_t>() != 0;
    link.attributes = reader.attributes();
    link.dropped_attributes_count = reader.fixed<std::uint32_t>();
  }
  span.dropped_links_count = reader.fixed<std::uint32_t>();
  const auto status = reader.fixed<std::uint8_t>();
  span.status.code = status <= 2 ? static_cast<StatusCode>(status) : StatusCode::kUnset;
  span.status.message = reader.text();
  span.thread_id = reader.fixed<std::int64_t>();
  span.thread_name = reader.text();
  message.scope.name = reader.text();
  message.scope.version = reader.text();
  message.scope.schema_url = reader.text();
}

}  // namespace

void encode_relay_hello(std::int32_t pid, const Resource& resource, std::string& out) {
  out.clear();
  Writer writer(out);
  write_header(writer, RelayMessageType::kHello, pid);
  writer.attributes(resource.attributes());
  writer.text(resource.schema_url());
}

void encode_relay_span(RelayMessageType type, std::int32_t pid, const SpanData& span,
                       std::string& out) {
  out.clear();
  Writer writer(out);
  write_header(writer, type, pid);
  write_span(writer, span);
}

std::optional<RelayMessage> decode_relay_message(std::string_view bytes) {
  Reader reader(bytes);
  RelayMessage message;
  const auto type = reader.fixed<std::uint8_t>();
  const auto version = reader.fixed<std::uint8_t>();
  message.pid = reader.fixed<std::int32_t>();
  if (!reader.ok() || version != kRelayFormatVersion) return std::nullopt;
  switch (static_cast<RelayMessageType>(type)) {
    case RelayMessageType::kHello: {
      message.type = RelayMessageType::kHello;
      Attributes attributes = reader.attributes();
      std::string schema_url = reader.text();
      message.resource = Resource(std::move(attributes), std::move(schema_url));
      break;
    }
    case RelayMessageType::kStart:
    case RelayMessageType::kEnd:
      message.type = static_cast<RelayMessageType>(type);
      read_span(reader, message);
      break;
    default:
      return std::nullopt;
  }
  if (!reader.ok() || !reader.at_end()) return std::nullopt;
  return message;
}

}  // namespace weft::detail
