#include "export/otlp_json.h"

#include <utility>

#include "export/json_writer.h"

namespace weft::detail {
namespace {

constexpr std::uint32_t kHasIsRemote = 0x100;
constexpr std::uint32_t kIsRemote = 0x200;

void write_value(JsonWriter& json, const AttributeValue& value);

template <class T>
void write_array(JsonWriter& json, const std::vector<T>& values) {
  json.begin_object();
  json.key("arrayValue");
  json.begin_object();
  json.key("values");
  json.begin_array();
  for (const auto& element : values) write_value(json, AttributeValue(T(element)));
  json.end_array();
  json.end_object();
  json.end_object();
}

void write_value(JsonWriter& json, const AttributeValue& value) {
  std::visit(
      [&json](const auto& held) {
        using T = std::decay_t<decltype(held)>;
        if constexpr (std::is_same_v<T, bool>) {
          json.begin_object();
          json.key("boolValue");
          json.boolean(held);
          json.end_object();
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          json.begin_object();
          json.key("intValue");
          json.quoted_number(held);
          json.end_object();
        } else if constexpr (std::is_same_v<T, double>) {
          json.begin_object();
          json.key("doubleValue");
          json.number(held);
          json.end_object();
        } else if constexpr (std::is_same_v<T, std::string>) {
          json.begin_object();
          json.key("stringValue");
          json.string(held);
          json.end_object();
        } else {
          write_array(json, held);
        }
      },
      value);
}

void write_attribute(JsonWriter& json, std::string_view key, const AttributeValue& value) {
  json.begin_object();
  json.key("key");
  json.string(key);
  json.key("value");
  write_value(json, value);
  json.end_object();
}

void write_attributes(JsonWriter& json, const Attributes& attributes,
                      std::uint32_t dropped_count) {
  json.key("attributes");
  json.begin_array();
  for (const KeyValue& attribute : attributes) write_attribute(json, attribute.key, attribute.value);
  json.end_array();
  if (dropped_count != 0) {
    json.key("droppedAttributesCount");
    json.number(static_cast<std::uint64_t>(dropped_count));
  }
}

template <std::size_t N>
void write_id(JsonWriter& json, const char (&name)[N], const TraceId& id) {
  char hex[32];
  id.to_hex(hex);
  json.key(name);
  json.string(std::string_view(hex, sizeof hex));
}

template <std::size_t N>
void write_id(JsonWriter& json, const char (&name)[N], const SpanId& id) {
  char hex[16];
  id.to_hex(hex);
  json.key(name);
  json.string(std::string_view(hex, sizeof hex));
}

void write_span(JsonWriter& json, const SpanData& span) {
  json.begin_object();
  write_id(json, "traceId", span.context.trace_id);
  write_id(json, "spanId", span.context.span_id);
  if (!span.context.trace_state.empty()) {
    json.key("traceState");
    json.string(span.context.trace_state.to_header());
  }
  if (span.parent_span_id.is_valid()) write_id(json, "parentSpanId", span.parent_span_id);
  json.key("flags");
  json.number(static_cast<std::uint64_t>(
      otlp_span_flags(span.context.flags, true, span.parent_is_remote)));
  json.key("name");
  json.string(span.name);
  json.key("kind");
  json.number(static_cast<std::int64_t>(span.kind));
  json.key("startTimeUnixNano");
  json.quoted_number(span.start_time_unix_nano);
  json.key("endTimeUnixNano");
  json.quoted_number(span.end_time_unix_nano);

  json.key("attributes");
  json.begin_array();
  for (const KeyValue& attribute : span.attributes) {
    write_attribute(json, attribute.key, attribute.value);
  }
  if (span.thread_id != 0) {
    write_attribute(json, "thread.id", AttributeValue(span.thread_id));
    if (!span.thread_name.empty()) {
      write_attribute(json, "thread.name", AttributeValue(span.thread_name));
    }
  }
  json.end_array();
  if (span.dropped_attributes_count != 0) {
    json.key("droppedAttributesCount");
    json.number(static_cast<std::uint64_t>(span.dropped_attributes_count));
  }

  if (!span.events.empty()) {
    json.key("events");
    json.begin_array();
    for (const Event& event : span.events) {
      json.begin_object();
      json.key("timeUnixNano");
      json.quoted_number(event.time_unix_nano);
      json.key("name");
      json.string(event.name);
      write_attributes(json, event.attributes, event.dropped_attributes_count);
      json.end_object();
    }
    json.end_array();
  }
  if (span.dropped_events_count != 0) {
    json.key("droppedEventsCount");
    json.number(static_cast<std::uint64_t>(span.dropped_events_count));
  }

  if (!span.links.empty()) {
    json.key("links");
    json.begin_array();
    for (const Link& link : span.links) {
      json.begin_object();
      write_id(json, "traceId", link.context.trace_id);
      write_id(json, "spanId", link.context.span_id);
      if (!link.context.trace_state.empty()) {
        json.key("traceState");
        json.string(link.context.trace_state.to_header());
      }
      write_attributes(json, link.attributes, link.dropped_attributes_count);
      json.key("flags");
      json.number(static_cast<std::uint64_t>(
          otlp_span_flags(link.context.flags, true, link.context.is_remote)));
      json.end_object();
    }
    json.end_array();
  }
  if (span.dropped_links_count != 0) {
    json.key("droppedLinksCount");
    json.number(static_cast<std::uint64_t>(span.dropped_links_count));
  }

  json.key("status");
  json.begin_object();
  if (span.status.code != StatusCode::kUnset) {
    if (!span.status.message.empty()) {
      json.key("message");
      json.string(span.status.message);
    }
    json.key("code");
    json.number(static_cast<std::int64_t>(span.status.code));
  }
  json.end_object();
  json.end_object();
}

// Spans grouped by resource and scope, keeping the order in which each group first appears.
struct ScopeGroup {
  const InstrumentationScope* scope;
  std::vector<const SpanData*> spans;
};
struct ResourceGroup {
  const Resource* resource;
  std::vector<ScopeGroup> scopes;
};

std::vector<ResourceGroup> group_spans(const std::vector<const SpanData*>& spans) {
  std::vector<ResourceGroup> groups;
  for (const SpanData* span : spans) {
    ResourceGroup* resource_group = nullptr;
    for (auto& group : groups) {
      if (group.resource == span->resource) resource_group = &group;
    }
    if (resource_group == nullptr) resource_group = &groups.emplace_back(ResourceGroup{span->resource, {}});
    ScopeGroup* scope_group = nullptr;
    for (auto& group : resource_group->scopes) {
      if (group.scope == span->scope) scope_group = &group;
    }
    if (scope_group == nullptr) {
      scope_group = &resource_group->scopes.emplace_back(ScopeGroup{span->scope, {}});
    }
    scope_group->spans.push_back(span);
  }
  return groups;
}

}  // namespace

std::uint32_t otlp_span_flags(TraceFlags flags, bool remote_known, bool is_remote) noexcept {
  std::uint32_t result = flags.value();
  if (remote_known) result |= kHasIsRemote;
  if (remote_known && is_remote) result |= kIsRemote;
  return result;
}

void append_otlp_json_request(std::string& out, const std::vector<const SpanData*>& spans) {
  JsonWriter json(out);
  json.begin_object();
  json.key("resourceSpans");
  json.begin_array();
  for (const ResourceGroup& resource_group : group_spans(spans)) {
    json.begin_object();
    json.key("resource");
    json.begin_object();
    static const Resource kEmptyResource;
    const Resource& resource =
        resource_group.resource != nullptr ? *resource_group.resource : kEmptyResource;
    write_attributes(json, resource.attributes(), 0);
    json.end_object();
    json.key("scopeSpans");
    json.begin_array();
    for (const ScopeGroup& scope_group : resource_group.scopes) {
      json.begin_object();
      json.key("scope");
      json.begin_object();
      if (scope_group.scope != nullptr) {
        json.key("name");
        json.string(scope_group.scope->name);
        if (!scope_group.scope->version.empty()) {
          json.key("version");
          json.string(scope_group.scope->version);
        }
      }
      json.end_object();
      json.key("spans");
      json.begin_array();
      for (const SpanData* span : scope_group.spans) write_span(json, *span);
      json.end_array();
      if (scope_group.scope != nullptr && !scope_group.scope->schema_url.empty()) {
        json.key("schemaUrl");
        json.string(scope_group.scope->schema_url);
      }
      json.end_object();
    }
    json.end_array();
    if (!resource.schema_url().empty()) {
      json.key("schemaUrl");
      json.string(resource.schema_url());
    }
    json.end_object();
  }
  json.end_array();
  json.end_object();
}

}  // namespace weft::detail
