// Recording into a span and ending it. Every call on a non-recording span returns at once.
#include "weft/span.h"

#include <cxxabi.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <typeinfo>

#include "diagnostics/counters.h"
#include "runtime/clock.h"
#include "runtime/process_info.h"
#include "sdk/provider_state.h"
#include "trace/attribute_limits.h"
#include "trace/record_attributes.h"
#include "trace/record_pool.h"
#include "trace/span_record.h"
#include "trace/thread_attributes.h"

namespace weft {
namespace {

const SpanLimits& limits_of(const detail::SpanRecord& record) {
  return record.tracer->provider->config.limits;
}

std::string demangled_type_name(const std::type_info& type) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> name(
      abi::__cxa_demangle(type.name(), nullptr, nullptr, &status), std::free);
  return status == 0 && name ? std::string(name.get()) : std::string(type.name());
}

}  // namespace

Span& Span::operator=(Span&& other) noexcept {
  if (this != &other) {
    end();
    record_ = std::exchange(other.record_, nullptr);
    context_ = std::move(other.context_);
  }
  return *this;
}

void Span::set_attribute_value(std::string_view key, AttributeValue&& value) {
  detail::put_record_attribute(*record_, key, std::move(value), limits_of(*record_));
}

namespace {

// The vector form, out of the byte form's way: the setters' common path then saves no registers.
// A record that kept its attributes as bytes (a value too long for them) moves them here first.
template <class T, class Argument>
[[gnu::noinline]] void put_in_vector(detail::SpanRecord& record, std::string_view key,
                                     Argument value, std::size_t max_count) {
  detail::settle_attribute_bytes(record);
  detail::put_attribute_as<T>(record.attributes, record.dropped_attributes_count, key, value,
                              max_count);
}

// A bool, int64 or double, kept in the record's own form (SpanRecord::attributes_as_bytes).
template <class T>
void set_scalar_attribute(detail::SpanRecord& record, std::string_view key, T value) {
  const SpanLimits& limits = limits_of(record);
  if (!record.attributes_as_bytes ||
      !record.attribute_bytes.put_scalar(key, value, limits.attribute_count,
                                         record.dropped_attributes_count)) {
    put_in_vector<T>(record, key, value, limits.attribute_count);
  }
  detail::keep_thread_attributes_within(record, limits);
}

}  // namespace

// The scalar and string setters keep to the record's own form without building an
// AttributeValue.
void Span::set_bool_attribute(std::string_view key, bool value) {
  set_scalar_attribute(*record_, key, value);
}

void Span::set_int_attribute(std::string_view key, std::int64_t value) {
  set_scalar_attribute(*record_, key, value);
}

void Span::set_double_attribute(std::string_view key, double value) {
  set_scalar_attribute(*record_, key, value);
}

void Span::set_string_attribute(std::string_view key, std::string_view value) {
  detail::SpanRecord& record = *record_;
  const SpanLimits& limits = limits_of(record);
  const std::string_view kept = detail::truncated_text(value, limits.attribute_value_length);
  if (!record.attributes_as_bytes ||
      !record.attribute_bytes.put_string(key, kept, limits.attribute_count,
                                         record.dropped_attributes_count)) {
    put_in_vector<std::string>(record, key, kept, limits.attribute_count);
  }
  detail::keep_thread_attributes_within(record, limits);
}

Span& Span::set_attributes(std::initializer_list<KeyValue> attributes) {
  if (record_ == nullptr) return *this;
  for (const KeyValue& attribute : attributes) {
    set_attribute_value(attribute.key, AttributeValue(attribute.value));
  }
  return *this;
}

namespace {

// The span's next event, or null when the event limit is reached (counted).
Event* add_event_to(detail::SpanRecord& record, std::string_view name, std::uint64_t time) {
  if (record.events.size() >= limits_of(record).event_count) {
    ++record.dropped_events_count;
    return nullptr;
  }
  Event& event = record.events.emplace_back();
  event.name.assign(name);
  event.time_unix_nano = time;
  return &event;
}

template <class Value>
void put_event_attribute(Event& event, const SpanLimits& limits, std::string_view key,
                         Value&& value) {
  detail::put_attribute(event.attributes, event.dropped_attributes_count, key,
                        std::forward<Value>(value), limits.attributes_per_event,
                        limits.attribute_value_length);
}

// Adds the event to a record that keeps its events as bytes (SpanRecord::events_as_bytes). False
// when an attribute has an array value or the event something too long for the layout: the
// record's events are then in its vector, and the caller adds the event there.
template <class KeyValues>
bool add_event_as_bytes(detail::SpanRecord& record, std::string_view name, std::uint64_t time,
                        const KeyValues& attributes) {
  const SpanLimits& limits = limits_of(record);
  detail::EventBytes& events = record.event_bytes;
  if (events.count() >= limits.event_count) {
    ++record.dropped_events_count;
    return true;
  }
  if (attributes.size() == 0) {
    if (events.add(name, time, {}, 0, 0)) return true;
  } else {
    detail::AttributeBytes& event_attributes = record.next_event_attributes;
    event_attributes.clear();
    std::uint32_t dropped = 0;
    bool laid_out = true;
    for (const KeyValue& attribute : attributes) {
      laid_out = event_attributes.put_value(attribute.key, attribute.value,
                                            limits.attributes_per_event,
                                            limits.attribute_value_length, dropped);
      if (!laid_out) break;
    }
    if (laid_out && events.add(name, time, event_attributes.bytes(), event_attributes.count(),
                               dropped)) {
      return true;
    }
  }
  detail::settle_event_bytes(record);
  return false;
}

}  // namespace

// Attributes go straight from the list into the event: no intermediate Attributes to build.
Span& Span::add_event(std::string_view name, std::initializer_list<KeyValue> attributes) {
  if (record_ == nullptr) return *this;
  const std::uint64_t time = detail::now_unix_nano();
  if (record_->events_as_bytes && add_event_as_bytes(*record_, name, time, attributes)) {
    return *this;
  }
  Event* event = add_event_to(*record_, name, time);
  if (event == nullptr) return *this;
  const SpanLimits& limits = limits_of(*record_);
  for (const KeyValue& attribute : attributes) {
    put_event_attribute(*event, limits, attribute.key, attribute.value);
  }
  return *this;
}

Span& Span::add_event(std::string_view name, Timestamp time, Attributes attributes) {
  if (record_ == nullptr) return *this;
  const std::uint64_t time_unix_nano =
      time == Timestamp{} ? detail::now_unix_nano() : detail::to_unix_nano(time);
  if (record_->events_as_bytes && add_event_as_bytes(*record_, name, time_unix_nano, attributes)) {
    return *this;
  }
  Event* event = add_event_to(*record_, name, time_unix_nano);
  if (event == nullptr) return *this;
  const SpanLimits& limits = limits_of(*record_);
  for (KeyValue& attribute : attributes) {
    put_event_attribute(*event, limits, attribute.key, std::move(attribute.value));
  }
  return *this;
}

Span& Span::add_link(const SpanContext& context, Attributes attributes) {
  if (record_ == nullptr) return *this;
  const SpanLimits& limits = limits_of(*record_);
  if (record_->links.size() >= limits.link_count) {
    ++record_->dropped_links_count;
    return *this;
  }
  Link& link = record_->links.emplace_back();
  link.context = context;
  for (KeyValue& attribute : attributes) {
    detail::put_attribute(link.attributes, link.dropped_attributes_count, attribute.key,
                          std::move(attribute.value), limits.attributes_per_link,
                          limits.attribute_value_length);
  }
  return *this;
}

Span& Span::set_status(StatusCode code, std::string_view description) {
  if (record_ == nullptr || code == StatusCode::kUnset) return *this;
  Status& status = record_->status;
  if (status.code == StatusCode::kOk) return *this;  // Ok is final
  status.code = code;
  if (code == StatusCode::kError) {
    status.message.assign(description);
  } else {
    status.message.clear();
  }
  return *this;
}

Span& Span::record_exception(const std::exception& error) {
  if (record_ == nullptr) return *this;
  return record_exception(demangled_type_name(typeid(error)), error.what());
}

Span& Span::record_exception(std::string_view type, std::string_view message) {
  if (record_ == nullptr) return *this;
  return add_event("exception", {{"exception.type", type}, {"exception.message", message}});
}

Span& Span::update_name(std::string_view name) {
  if (record_ != nullptr) record_->name.assign(name);
  return *this;
}

// A batch processor reads the clock itself once it has room for the span
// (SpanRecord::end_time_pending): a span dropped from a full queue is never timed, so a producer
// that outruns the exporter is not slowed by the spans it loses. Otherwise the span is timed here.
// The span clock's calibration may move by a few nanoseconds between start and end: a span timed
// by it never ends before it starts. Reading clock_gettime instead is a call at the end, so that
// path keeps no frame.
void Span::end_now() noexcept {
  detail::SpanRecord* record = record_;
  if (__builtin_expect(record->tracer->provider->processor_times_ends, 1)) {
    record->end_time_pending = true;
    return hand_over();
  }
  std::uint64_t now;
  if (__builtin_expect(!detail::try_now_unix_nano(now), 0)) return end_now_slowly();
  end_at(std::max(now, record->start_time_unix_nano));
}

void Span::end_now_slowly() noexcept {
  end_at(std::max(detail::now_unix_nano_slowly(), record_->start_time_unix_nano));
}

void Span::end(Timestamp end_time) noexcept {
  if (record_ != nullptr) end_at(detail::to_unix_nano(end_time));
}

void Span::end_at(std::uint64_t end_unix_nano) noexcept {
  record_->end_time_unix_nano = end_unix_nano;
  hand_over();
}

void Span::hand_over() noexcept {
  detail::SpanRecord* record = std::exchange(record_, nullptr);
  const detail::ProviderState& provider = *record->tracer->provider;
  if (__builtin_expect(record->owner_pid != detail::process_id(), 0)) {
    detail::count(detail::counters().fork_copies_discarded);
    detail::recycle_record(record);
    return;
  }
  if (provider.shut_down.load(std::memory_order_acquire)) {
    detail::count(detail::counters().spans_dropped_after_shutdown);
    detail::recycle_record(record);
    return;
  }
  provider.processor->on_end(FinishedSpan(record));
}

}  // namespace weft
