#include "export/otlp_proto.h"

#include <type_traits>

#include "export/otlp_json.h"
#include "export/proto_writer.h"
#include "export/utf8_text.h"

namespace weft::detail {
namespace {

// Field numbers of the OTLP protocol (opentelemetry/proto, v1).
namespace request {
constexpr std::uint32_t kResourceSpans = 1;
}
namespace resource_spans {
constexpr std::uint32_t kResource = 1, kScopeSpans = 2, kSchemaUrl = 3;
}
namespace resource {
constexpr std::uint32_t kAttributes = 1;
}
namespace scope_spans {
constexpr std::uint32_t kScope = 1, kSpans = 2, kSchemaUrl = 3;
}
namespace scope {
constexpr std::uint32_t kName = 1, kVersion = 2;
}
namespace span {
constexpr std::uint32_t kTraceId = 1, kSpanId = 2, kTraceState = 3, kParentSpanId = 4, kName = 5,
                        kKind = 6, kStartTime = 7, kEndTime = 8, kAttributes = 9,
                        kDroppedAttributes = 10, kEvents = 11, kDroppedEvents = 12, kLinks = 13,
                        kDroppedLinks = 14, kStatus = 15, kFlags = 16;
}
namespace event {
constexpr std::uint32_t kTime = 1, kName = 2, kAttributes = 3, kDroppedAttributes = 4;
}
namespace link {
constexpr std::uint32_t kTraceId = 1, kSpanId = 2, kTraceState = 3, kAttributes = 4,
                        kDroppedAttributes = 5, kFlags = 6;
}
namespace status {
constexpr std::uint32_t kMessage = 2, kCode = 3;
}
namespace key_value {
constexpr std::uint32_t kKey = 1, kValue = 2;
}
namespace any_value {
constexpr std::uint32_t kString = 1, kBool = 2, kInt = 3, kDouble = 4, kArray = 5;
}
namespace array_value {
constexpr std::uint32_t kValues = 1;
}

// Protobuf `string` fields must hold UTF-8, and a collector refuses a whole request over one
// string that does not: the application's text goes through use_as_valid_utf8(). Valid text
// (nearly all) is written as it is, after an 8-bytes-at-a-time check.
void text_field(ProtoWriter& proto, std::uint32_t field, std::string_view text) {
  use_as_valid_utf8(text, [&](std::string_view valid) { proto.string_field(field, valid); });
}

// AnyValue's fields are a oneof: a zero or empty value is still written, so that the decoder
// sees which member is set. A string must be valid UTF-8 already.
template <class T>
void write_scalar(ProtoWriter& proto, const T& value) {
  if constexpr (std::is_same_v<T, bool>) {
    proto.bool_field(any_value::kBool, value);
  } else if constexpr (std::is_same_v<T, std::int64_t>) {
    proto.int64_field(any_value::kInt, value);
  } else if constexpr (std::is_same_v<T, double>) {
    proto.double_field(any_value::kDouble, value);
  } else {
    proto.string_field(any_value::kString, value);
  }
}

void write_value(ProtoWriter& proto, std::uint32_t field, const AttributeValue& value) {
  const std::size_t any = proto.begin_message(field);
  std::visit(
      [&proto](const auto& held) {
        using T = std::decay_t<decltype(held)>;
        if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, std::int64_t> ||
                      std::is_same_v<T, double> || std::is_same_v<T, std::string>) {
          write_scalar(proto, held);
        } else {
          const std::size_t array = proto.begin_message(any_value::kArray);
          for (const auto& element : held) {
            const std::size_t item = proto.begin_message(array_value::kValues);
            using Element = typename T::value_type;
            if constexpr (std::is_same_v<Element, bool>) {
              // vector<bool> yields proxies: convert, so that the bool member is written.
              write_scalar(proto, static_cast<bool>(element));
            } else if constexpr (std::is_same_v<Element, std::string>) {
              text_field(proto, any_value::kString, element);
            } else {
              write_scalar(proto, element);
            }
            proto.end_message(item);
          }
          proto.end_message(array);
        }
      },
      value);
  proto.end_message(any);
}

// The encoded size of an AnyValue holding a scalar (every member has a one-byte tag).
template <class T>
std::size_t scalar_size(const T& value) {
  if constexpr (std::is_same_v<T, bool>) {
    return 2;
  } else if constexpr (std::is_same_v<T, std::int64_t>) {
    return 1 + ProtoWriter::varint_size(static_cast<std::uint64_t>(value));
  } else if constexpr (std::is_same_v<T, double>) {
    return 9;
  } else {
    return ProtoWriter::length_delimited_size(value.size());
  }
}

// Scalar attributes (nearly all of them) are written with their lengths computed up front, which
// spares the placeholder-and-move of the general path for the two messages they nest. The lengths
// are those of the text as written: the key and a string value are valid UTF-8 by now.
template <class T>
__attribute__((always_inline)) inline void write_valid_scalar_attribute(
    ProtoWriter& proto, std::uint32_t field, std::string_view key, const T& value) {
  const std::size_t any_size = scalar_size(value);
  proto.message_header(field, ProtoWriter::length_delimited_size(key.size()) +
                                  ProtoWriter::length_delimited_size(any_size));
  proto.string_field(key_value::kKey, key);
  proto.message_header(key_value::kValue, any_size);
  write_scalar(proto, value);
}

template <class T>
void write_scalar_attribute(ProtoWriter& proto, std::uint32_t field, std::string_view key,
                            const T& value) {
  use_as_valid_utf8(key, [&](std::string_view valid_key) {
    if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::string_view>) {
      use_as_valid_utf8(value, [&](std::string_view valid_value) {
        write_valid_scalar_attribute(proto, field, valid_key, valid_value);
      });
    } else {
      write_valid_scalar_attribute(proto, field, valid_key, value);
    }
  });
}

void write_attribute(ProtoWriter& proto, std::uint32_t field, std::string_view key,
                     const AttributeValue& value) {
  std::visit(
      [&](const auto& held) {
        using T = std::decay_t<decltype(held)>;
        if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, std::int64_t> ||
                      std::is_same_v<T, double> || std::is_same_v<T, std::string>) {
          write_scalar_attribute(proto, field, key, held);
        } else {
          const std::size_t entry = proto.begin_message(field);
          text_field(proto, key_value::kKey, key);
          write_value(proto, key_value::kValue, value);
          proto.end_message(entry);
        }
      },
      value);
}

void write_attributes(ProtoWriter& proto, std::uint32_t field, const Attributes& attributes) {
  for (const KeyValue& attribute : attributes) {
    write_attribute(proto, field, attribute.key, attribute.value);
  }
}

void write_uint32_unless_zero(ProtoWriter& proto, std::uint32_t field, std::uint32_t value) {
  if (value != 0) proto.varint_field(field, value);
}

void write_trace_state(ProtoWriter& proto, std::uint32_t field, const TraceState& trace_state) {
  if (!trace_state.empty()) proto.string_field(field, trace_state.to_header());
}

void write_event(ProtoWriter& proto, const Event& event) {
  const std::size_t message = proto.begin_message(span::kEvents);
  proto.fixed64_field(event::kTime, event.time_unix_nano);
  text_field(proto, event::kName, event.name);
  write_attributes(proto, event::kAttributes, event.attributes);
  write_uint32_unless_zero(proto, event::kDroppedAttributes, event.dropped_attributes_count);
  proto.end_message(message);
}

void write_link(ProtoWriter& proto, const Link& link) {
  const std::size_t message = proto.begin_message(span::kLinks);
  const auto& trace_id = link.context.trace_id.bytes();
  const auto& span_id = link.context.span_id.bytes();
  proto.bytes_field(link::kTraceId, trace_id.data(), trace_id.size());
  proto.bytes_field(link::kSpanId, span_id.data(), span_id.size());
  write_trace_state(proto, link::kTraceState, link.context.trace_state);
  write_attributes(proto, link::kAttributes, link.attributes);
  write_uint32_unless_zero(proto, link::kDroppedAttributes, link.dropped_attributes_count);
  proto.fixed32_field(link::kFlags,
                      otlp_span_flags(link.context.flags, true, link.context.is_remote));
  proto.end_message(message);
}

void write_span(ProtoWriter& proto, const SpanData& data) {
  const std::size_t message = proto.begin_message(scope_spans::kSpans);
  const auto& trace_id = data.context.trace_id.bytes();
  const auto& span_id = data.context.span_id.bytes();
  proto.bytes_field(span::kTraceId, trace_id.data(), trace_id.size());
  proto.bytes_field(span::kSpanId, span_id.data(), span_id.size());
  write_trace_state(proto, span::kTraceState, data.context.trace_state);
  if (data.parent_span_id.is_valid()) {
    const auto& parent = data.parent_span_id.bytes();
    proto.bytes_field(span::kParentSpanId, parent.data(), parent.size());
  }
  text_field(proto, span::kName, data.name);
  proto.varint_field(span::kKind, static_cast<std::uint64_t>(data.kind));
  proto.fixed64_field(span::kStartTime, data.start_time_unix_nano);
  proto.fixed64_field(span::kEndTime, data.end_time_unix_nano);
  write_attributes(proto, span::kAttributes, data.attributes);
  // The thread conventions: every span says which thread started it.
  if (data.thread_id != 0) {
    write_valid_scalar_attribute(proto, span::kAttributes, "thread.id", data.thread_id);
    if (!data.thread_name.empty()) {
      use_as_valid_utf8(data.thread_name, [&](std::string_view name) {
        write_valid_scalar_attribute(proto, span::kAttributes, "thread.name", name);
      });
    }
  }
  write_uint32_unless_zero(proto, span::kDroppedAttributes, data.dropped_attributes_count);
  for (const Event& event : data.events) write_event(proto, event);
  write_uint32_unless_zero(proto, span::kDroppedEvents, data.dropped_events_count);
  for (const Link& link : data.links) write_link(proto, link);
  write_uint32_unless_zero(proto, span::kDroppedLinks, data.dropped_links_count);
  const std::size_t status_message = proto.begin_message(span::kStatus);
  if (data.status.code == StatusCode::kError && !data.status.message.empty()) {
    text_field(proto, status::kMessage, data.status.message);
  }
  if (data.status.code != StatusCode::kUnset) {
    proto.varint_field(status::kCode, static_cast<std::uint64_t>(data.status.code));
  }
  proto.end_message(status_message);
  proto.fixed32_field(span::kFlags,
                      otlp_span_flags(data.context.flags, true, data.parent_is_remote));
  proto.end_message(message);
}

void write_scope(ProtoWriter& proto, const InstrumentationScope* instrumentation_scope) {
  const std::size_t message = proto.begin_message(scope_spans::kScope);
  if (instrumentation_scope != nullptr) {
    text_field(proto, scope::kName, instrumentation_scope->name);
    if (!instrumentation_scope->version.empty()) {
      text_field(proto, scope::kVersion, instrumentation_scope->version);
    }
  }
  proto.end_message(message);
}

}  // namespace

void OtlpProtoEncoder::group_spans(const std::vector<const SpanData*>& spans) {
  groups_.clear();
  next_in_group_.assign(spans.size(), UINT32_MAX);
  for (std::uint32_t index = 0; index < spans.size(); ++index) {
    const SpanData& data = *spans[index];
    Group* group = nullptr;
    // Batches nearly always hold one or two groups: a linear scan beats any map here.
    for (Group& candidate : groups_) {
      if (candidate.resource == data.resource && candidate.scope == data.scope) group = &candidate;
    }
    if (group == nullptr) {
      groups_.push_back(Group{data.resource, data.scope, index, index});
    } else {
      next_in_group_[group->last] = index;
      group->last = index;
    }
  }
}

void OtlpProtoEncoder::append_request(std::string& out, const std::vector<const SpanData*>& spans) {
  group_spans(spans);
  ProtoWriter proto(out);
  for (std::size_t first = 0; first < groups_.size(); ++first) {
    const Resource* const group_resource = groups_[first].resource;
    bool written_before = false;
    for (std::size_t earlier = 0; earlier < first; ++earlier) {
      if (groups_[earlier].resource == group_resource) written_before = true;
    }
    if (written_before) continue;

    const std::size_t resource_spans_message = proto.begin_message(request::kResourceSpans);
    const std::size_t resource_message = proto.begin_message(resource_spans::kResource);
    if (group_resource != nullptr) {
      write_attributes(proto, resource::kAttributes, group_resource->attributes());
    }
    proto.end_message(resource_message);
    for (std::size_t index = first; index < groups_.size(); ++index) {
      const Group& group = groups_[index];
      if (group.resource != group_resource) continue;
      const std::size_t scope_spans_message = proto.begin_message(resource_spans::kScopeSpans);
      write_scope(proto, group.scope);
      for (std::uint32_t span_index = group.first; span_index != UINT32_MAX;
           span_index = next_in_group_[span_index]) {
        write_span(proto, *spans[span_index]);
      }
      if (group.scope != nullptr && !group.scope->schema_url.empty()) {
        text_field(proto, scope_spans::kSchemaUrl, group.scope->schema_url);
      }
      proto.end_message(scope_spans_message);
    }
    if (group_resource != nullptr && !group_resource->schema_url().empty()) {
      text_field(proto, resource_spans::kSchemaUrl, group_resource->schema_url());
    }
    proto.end_message(resource_spans_message);
  }
}

}  // namespace weft::detail
