// Span: one timed operation of a trace. A Span is a move-only handle that ends the span when it is
// destroyed (or earlier, with end()). A ScopedSpan also makes the span the current context for its
// C++ scope, so spans started inside become its children.
//
//   weft::Tracer tracer = weft::get_tracer("my.library");
//   {
//     weft::ScopedSpan span = tracer.start_scoped_span("load-config");
//     span->set_attribute("config.path", path);
//     ...                                  // spans started here are children of "load-config"
//   }                                      // ends here, the previous context is current again
#pragma once

#include <chrono>
#include <exception>
#include <initializer_list>
#include <string_view>
#include <utility>

#include "weft/attributes.h"
#include "weft/context.h"
#include "weft/span_data.h"

namespace weft {

using Timestamp = std::chrono::system_clock::time_point;

namespace detail {
struct SpanRecord;
}

class Span {
 public:
  // A span that records nothing and has an invalid context.
  Span() noexcept = default;
  Span(Span&& other) noexcept : record_(other.record_), context_(std::move(other.context_)) {
    other.record_ = nullptr;
  }
  Span& operator=(Span&& other) noexcept;  // ends the span this one held
  Span(const Span&) = delete;
  Span& operator=(const Span&) = delete;
  ~Span() { end(); }

  const SpanContext& context() const noexcept { return context_; }
  // False for spans that were not sampled, after end(), and for a disabled SDK: every other call
  // is then a cheap no-op.
  bool is_recording() const noexcept { return record_ != nullptr; }

  template <class T>
  Span& set_attribute(std::string_view key, T&& value) {
    if (record_ == nullptr) return *this;
    // Scalars go straight into the span (no AttributeValue to build and move on the way).
    using V = detail::Bare<T>;
    if constexpr (std::is_same_v<V, bool>) {
      set_bool_attribute(key, value);
    } else if constexpr (std::is_integral_v<V>) {
      set_int_attribute(key, static_cast<std::int64_t>(value));
    } else if constexpr (std::is_floating_point_v<V>) {
      set_double_attribute(key, static_cast<double>(value));
    } else if constexpr (std::is_convertible_v<T, std::string_view> &&
                         !std::is_same_v<V, AttributeValue>) {
      set_string_attribute(key, std::string_view(value));
    } else {
      set_attribute_value(key, to_attribute_value(std::forward<T>(value)));
    }
    return *this;
  }
  Span& set_attributes(std::initializer_list<KeyValue> attributes);

  Span& add_event(std::string_view name, std::initializer_list<KeyValue> attributes = {});
  Span& add_event(std::string_view name, Timestamp time, Attributes attributes = {});
  Span& add_link(const SpanContext& context, Attributes attributes = {});
  // kOk is final; kError keeps its description; kUnset is ignored (OpenTelemetry's rules).
  Span& set_status(StatusCode code, std::string_view description = {});
  // Adds the "exception" event of the semantic conventions (exception.type, exception.message).
  // It does not set the status: call set_status(StatusCode::kError, ...) if the span failed.
  Span& record_exception(const std::exception& error);
  Span& record_exception(std::string_view type, std::string_view message);
  Span& update_name(std::string_view name);

  // Ends the span and hands it to the processors. Later calls do nothing.
  void end() noexcept {
    if (record_ != nullptr) end_now();
  }
  void end(Timestamp end_time) noexcept;

 private:
  friend class Tracer;  // fills in a new span's record_ and context_
  void set_attribute_value(std::string_view key, AttributeValue&& value);
  void set_bool_attribute(std::string_view key, bool value);
  void set_int_attribute(std::string_view key, std::int64_t value);
  void set_double_attribute(std::string_view key, double value);
  void set_string_attribute(std::string_view key, std::string_view value);
  void end_now() noexcept;
  void end_now_slowly() noexcept;
  void end_at(std::uint64_t end_unix_nano) noexcept;
  void hand_over() noexcept;  // to the processors, once the end time is set or pending

  detail::SpanRecord* record_ = nullptr;
  SpanContext context_;
};

// A span that is the calling thread's current context until the end of the C++ scope, and ends
// then. Not movable: it belongs to one scope of one thread.
class ScopedSpan {
 public:
  explicit ScopedSpan(Span span) : span_(std::move(span)), scope_(span_.context(), &span_) {}

  Span& span() noexcept { return span_; }
  Span* operator->() noexcept { return &span_; }
  const SpanContext& context() const noexcept { return span_.context(); }

 private:
  Span span_;    // destroyed last: the span ends after the previous context is restored
  Scope scope_;
};

}  // namespace weft
