// Tracer: starts spans on behalf of one instrumentation scope (a library or component). Get one
// from a TracerProvider, or from the global provider with weft::get_tracer().
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "weft/context.h"
#include "weft/span.h"

namespace weft {

struct StartSpanOptions {
  SpanKind kind = SpanKind::kInternal;
  // The parent is the calling thread's current context unless `parent` is given (a context that
  // holds a local or a remote span) or `new_root` asks for a new trace.
  std::optional<Context> parent;
  bool new_root = false;
  std::optional<Timestamp> start_time;
  Attributes attributes;  // known at start, so samplers can see them
  std::vector<Link> links;
};

namespace detail {
struct TracerState;
struct ThreadState;
class SamplingPlan;
}

class Tracer {
 public:
  // A tracer that records nothing (what a disabled SDK hands out).
  Tracer() noexcept = default;

  // Inline, so that with a disabled SDK starting a span costs a test and a small call. The span
  // is made where the caller wants it (the functions below fill it in).
  Span start_span(std::string_view name) {
    Span span;
    if (state_ == nullptr) {
      start_disabled_in(span, nullptr);
    } else if (!start_unsampled_in(span)) {
      start_in(span, name, nullptr);
    }
    return span;
  }
  Span start_span(std::string_view name, const StartSpanOptions& options) {
    Span span;
    if (state_ != nullptr) {
      start_in(span, name, &options);
    } else {
      start_disabled_in(span, &options);
    }
    return span;
  }
  ScopedSpan start_scoped_span(std::string_view name) { return ScopedSpan(start_span(name)); }
  ScopedSpan start_scoped_span(std::string_view name, const StartSpanOptions& options) {
    return ScopedSpan(start_span(name, options));
  }

  bool enabled() const noexcept { return state_ != nullptr; }

 private:
  friend class TracerProvider;
  explicit Tracer(const detail::TracerState* state) noexcept : state_(state) {}
  // A non-recording span with the parent's context, as the OpenTelemetry API requires.
  // Each fills in `span`, a new empty Span made by start_span().
  static void start_disabled_in(Span& span, const StartSpanOptions* options);
  static void start_disabled_on_new_thread_in(Span& span, const StartSpanOptions* options);
  // A span the sampler drops, in the common cases (a child inside a trace that was not sampled;
  // a root the built-in sampler drops); false in every other case, where start_in() follows.
  bool start_unsampled_in(Span& span) const noexcept;
  static bool start_unsampled_root_in(Span& span, const detail::ThreadState& thread,
                                      const detail::SamplingPlan& sampling) noexcept;
  // `span` may hold a root's ids already, made by start_unsampled_root_in().
  void start_in(Span& span, std::string_view name, const StartSpanOptions* options);
  detail::SpanRecord* start_recording(std::string_view name, const StartSpanOptions* options,
                                      detail::ThreadState& thread, const Context& parent,
                                      const SpanContext& context,
                                      const Attributes* sampler_attributes);

  const detail::TracerState* state_ = nullptr;
};

}  // namespace weft
