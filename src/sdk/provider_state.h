// What a TracerProvider shares with its tracers and spans. Spans point at it without owning it:
// a provider outlives its spans (the global ones are kept until exit).
#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>

#include "trace/sampling_plan.h"
#include "weft/config.h"
#include "weft/resource.h"
#include "weft/sampler.h"

namespace weft::detail {

struct ProviderState;

struct TracerState {
  InstrumentationScope scope;
  const ProviderState* provider = nullptr;
};

struct ProviderState {
  explicit ProviderState(Config finished)
      : config(with_sampler(std::move(finished))), sampling(*config.sampler) {}

  Config config;
  const SamplingPlan sampling;
  // The one processor spans go to (several configured processors are combined into one); null
  // when nothing would receive spans, so they need not be recorded at all.
  std::shared_ptr<SpanProcessor> processor;
  // Every configured processor is weft's own: none changes a span's thread name, so a recycled
  // record's name can be trusted by its serial number (see BuiltinProcessor).
  bool thread_names_trusted = false;
  // Some processor does something in on_start (a processor of the application, or the relay).
  bool starts_watched = true;
  // The one processor is a batch processor, which takes a span's attributes and events as the
  // bytes its queue holds: spans keep them so while recorded (SpanRecord::attributes_as_bytes).
  bool spans_as_bytes = false;
  // The one processor reads a span's end time once it keeps the span (BuiltinProcessor::
  // times_span_ends): Span::end() leaves the time pending.
  bool processor_times_ends = false;
  // The span limits can cut a span's thread attributes on their own (thread_attributes.h).
  bool limits_cut_thread_attributes = false;
  std::atomic<bool> shut_down{false};

  std::mutex tracers_mutex;
  std::deque<TracerState> tracers;  // a deque keeps addresses stable as tracers are added

 private:
  // A Config built by hand may leave the sampler out: OpenTelemetry's default then.
  static Config with_sampler(Config config) {
    if (!config.sampler) config.sampler = parent_based_sampler(always_on_sampler());
    return config;
  }
};

}  // namespace weft::detail
