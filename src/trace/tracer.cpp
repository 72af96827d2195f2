// Starting a span: choose the parent, make the ids, ask the sampler, and fill a recycled record.
#include "weft/tracer.h"

#include "diagnostics/log.h"
#include "ids/random.h"
#include "monitoring/lost_context.h"
#include "runtime/clock.h"
#include "runtime/process_info.h"
#include "runtime/short_text.h"
#include "runtime/thread_state.h"
#include "sdk/provider_state.h"
#include "trace/attribute_limits.h"
#include "trace/record_attributes.h"
#include "trace/record_pool.h"
#include "trace/span_record.h"
#include "trace/thread_attributes.h"

namespace weft {
namespace {

const Attributes kNoAttributes;
const std::vector<Link> kNoLinks;
const Context kNoParent;

const Context& choose_parent(const StartSpanOptions* options, const detail::ThreadState& thread) {
  if (options == nullptr) return thread.current;
  if (options->new_root) return kNoParent;
  if (options->parent) return *options->parent;
  return thread.current;
}

void add_start_attributes(detail::SpanRecord& record, const Attributes& attributes,
                          const SpanLimits& limits) {
  for (const KeyValue& attribute : attributes) {
    detail::put_record_attribute(record, attribute.key, attribute.value, limits);
  }
}

void add_links(detail::SpanRecord& record, const std::vector<Link>& links,
               const SpanLimits& limits) {
  for (const Link& link : links) {
    if (record.links.size() >= limits.link_count) {
      ++record.dropped_links_count;
      continue;
    }
    Link& kept = record.links.emplace_back();
    kept.context = link.context;
    for (const KeyValue& attribute : link.attributes) {
      detail::put_attribute(kept.attributes, kept.dropped_attributes_count, attribute.key,
                            attribute.value, limits.attributes_per_link,
                            limits.attribute_value_length);
    }
    kept.dropped_attributes_count += link.dropped_attributes_count;
  }
}

// The decision for a custom sampler, which sees everything OpenTelemetry promises it. Kept out of
// start() so that the common path's frame stays small.
__attribute__((noinline)) bool ask_sampler(const detail::ProviderState& provider,
                                           const Context& parent, std::string_view name,
                                           const StartSpanOptions* options, SpanContext& context,
                                           Attributes& sampler_attributes, bool& recording) {
  const Attributes& start_attributes = options != nullptr ? options->attributes : kNoAttributes;
  const std::vector<Link>& links = options != nullptr ? options->links : kNoLinks;
  const SpanKind kind = options != nullptr ? options->kind : SpanKind::kInternal;
  SamplingResult sampling = provider.config.sampler->should_sample(
      SamplingParameters{parent, context.trace_id, name, kind, start_attributes, links});
  // The context already holds the parent's trace state: the sampler may replace it.
  if (sampling.trace_state) context.trace_state = std::move(*sampling.trace_state);
  recording = sampling.decision != SamplingDecision::kDrop;
  sampler_attributes = std::move(sampling.attributes);
  return sampling.decision == SamplingDecision::kRecordAndSample;
}

__attribute__((noinline)) void copy_trace_state(const TraceState& from, SpanContext& to) {
  to.trace_state = from;
}

}  // namespace

void Tracer::start_disabled_in(Span& span, const StartSpanOptions* options) {
  // A disabled SDK records nothing but still passes the parent's context on (OpenTelemetry API).
  // The rare steps are calls at the end (jumps), so the common path saves no registers.
  const detail::ThreadState* thread = detail::tls_thread_state;
  if (__builtin_expect(thread == nullptr, 0)) return start_disabled_on_new_thread_in(span, options);
  const SpanContext& parent = choose_parent(options, *thread).span_context();
  // The span is new: its trace state is empty, and stays so unless the parent has one.
  SpanContext& context = span.context_;
  context.trace_id = parent.trace_id;
  context.span_id = parent.span_id;
  context.flags = parent.flags;
  context.is_remote = parent.is_remote;
  if (__builtin_expect(!parent.trace_state.empty(), 0)) {
    return copy_trace_state(parent.trace_state, context);
  }
}

void Tracer::start_disabled_on_new_thread_in(Span& span, const StartSpanOptions* options) {
  // The thread's state, made on its first use, holds the context the process inherited from its
  // environment if this is the main thread (once per process).
  detail::thread_state();
  start_disabled_in(span, options);
}

bool Tracer::start_unsampled_in(Span& span) const noexcept {
  // Most spans a sampler drops are children inside a trace that was not sampled: they take the
  // parent's trace id and flags and get their own span id. The rest are the roots of such traces:
  // two new ids and the sampler's rule. These paths make no call, so they need no stack frame;
  // anything unusual (trace state, a custom sampler, a root off the main thread) is left to
  // start_in().
  const detail::ThreadState* thread = detail::tls_thread_state;
  if (__builtin_expect(thread == nullptr, 0)) return false;
  const SpanContext& parent = thread->current.span_context();
  const detail::SamplingPlan& sampling = state_->provider->sampling;
  if (!parent.is_valid()) return start_unsampled_root_in(span, *thread, sampling);
  std::uint64_t state;
  if (parent.is_sampled() || parent.is_remote || !parent.trace_state.empty() ||
      !sampling.drops_local_unsampled_children() || !detail::try_take_steps(1, state)) {
    return false;
  }
  const std::uint64_t span_id = detail::mix_state(state + detail::kStep);
  if (__builtin_expect(span_id == 0, 0)) return false;
  span.context_.trace_id = parent.trace_id;
  span.context_.span_id = SpanId::from_word(span_id);
  span.context_.flags = parent.flags;
  return true;
}

bool Tracer::start_unsampled_root_in(Span& span, const detail::ThreadState& thread,
                                     const detail::SamplingPlan& sampling) noexcept {
  // A root on another thread than the first is counted as possibly lost context: start_in().
  const detail::SamplingPlan::Step& step = sampling.root_step();
  const bool may_drop = step.rule == detail::SamplingPlan::Rule::kDrop ||
                        step.rule == detail::SamplingPlan::Rule::kTraceIdRatio;
  std::uint64_t state;
  if (!may_drop || thread.thread_id != detail::process_id() ||
      !detail::try_take_steps(3, state)) {
    return false;
  }
  TraceId trace_id;
  SpanId span_id;
  // Both or neither: start_in() takes a valid trace id in the span as ids already made.
  if (!detail::root_ids_after(state, trace_id, span_id)) return false;
  span.context_.trace_id = trace_id;
  span.context_.span_id = span_id;
  // A trace weft starts has a random trace id: the W3C Level 2 "random" flag.
  span.context_.flags = TraceFlags(TraceFlags::kRandom);
  // A sampled root is recorded: start_in() does that, with these ids (new ones would mean a
  // second draw of the sampler).
  return !detail::SamplingPlan::samples(step, trace_id);
}

void Tracer::start_in(Span& span, std::string_view name, const StartSpanOptions* options) {
  detail::ThreadState& thread = detail::thread_state();
  const Context& parent = choose_parent(options, thread);
  const SpanContext& parent_span = parent.span_context();
  const detail::ProviderState& provider = *state_->provider;

  const bool has_parent = parent_span.is_valid();
  const detail::SamplingPlan::Step& step = provider.sampling.step_for(parent_span);

  // What is needed of the parent is read before the first store into the new context, which
  // the compiler cannot tell apart from the parent's.
  SpanContext& context = span.context_;
  if (has_parent) {
    const TraceId trace_id = parent_span.trace_id;
    const TraceFlags flags = parent_span.flags;
    const bool inherits_trace_state = !parent_span.trace_state.empty();
    context.trace_id = trace_id;
    context.flags = flags;
    context.span_id = detail::next_span_id();
    if (inherits_trace_state) context.trace_state = parent_span.trace_state;
  } else {
    if (options == nullptr || !options->new_root) {
      detail::note_root_span(thread, provider.config.strict_context, name);
    }
    // The ids may be made already, by start_unsampled_root_in() for a root it did not drop.
    if (!context.trace_id.is_valid()) detail::next_root_ids(context.trace_id, context.span_id);
    // A trace weft starts has a random trace id: say so with the W3C Level 2 "random" flag.
    context.flags = TraceFlags(TraceFlags::kRandom);
  }

  if (__builtin_expect(step.rule != detail::SamplingPlan::Rule::kCallSampler, 1)) {
    const bool sampled = detail::SamplingPlan::samples(step, context.trace_id);
    context.flags = context.flags.with_sampled(sampled);
    if (sampled && provider.processor != nullptr) {
      span.record_ = start_recording(name, options, thread, parent, context, nullptr);
    }
    return;
  }
  bool recording = false;  // kRecordOnly: recorded for the processors, not exported
  Attributes sampler_attributes;
  const bool sampled =
      ask_sampler(provider, parent, name, options, context, sampler_attributes, recording);
  context.flags = context.flags.with_sampled(sampled);
  if (recording && provider.processor != nullptr) {
    span.record_ = start_recording(name, options, thread, parent, context, &sampler_attributes);
  }
}

detail::SpanRecord* Tracer::start_recording(std::string_view name,
                                            const StartSpanOptions* options,
                                            detail::ThreadState& thread, const Context& parent,
                                            const SpanContext& context,
                                            const Attributes* sampler_attributes) {
  const detail::ProviderState& provider = *state_->provider;
  const Config& config = provider.config;
  const SpanContext& parent_span = parent.span_context();
  const bool has_parent = parent_span.is_valid();

  detail::SpanRecord* record = detail::acquire_record();
  record->tracer = state_;
  record->owner_pid = detail::process_id();
  record->scope = &state_->scope;
  record->resource = &config.resource;
  record->context = context;
  record->parent_span_id = has_parent ? parent_span.span_id : SpanId();
  record->parent_is_remote = has_parent && parent_span.is_remote;
  // Like the thread name, the span name is often the one the recycled record already has.
  if (!detail::same_text(record->name, name)) record->name.assign(name);
  record->kind = options != nullptr ? options->kind : SpanKind::kInternal;
  record->thread_id = thread.thread_id;
  record->attributes_as_bytes = provider.spans_as_bytes;
  record->events_as_bytes = provider.spans_as_bytes;
  // A recycled record was mostly last used by this thread: its name is usually already right
  // (unless a processor of the application may have changed it).
  if (record->thread_name_serial != thread.thread_name_serial || !provider.thread_names_trusted) {
    record->thread_name.assign(thread.thread_name);
    record->thread_name_serial = thread.thread_name_serial;
  }
  if (__builtin_expect(provider.limits_cut_thread_attributes, 0)) {
    detail::fit_thread_attributes(*record, config.limits);
  }
  if (options != nullptr) {
    add_start_attributes(*record, options->attributes, config.limits);
    add_links(*record, options->links, config.limits);
  }
  if (sampler_attributes != nullptr && !sampler_attributes->empty()) {
    add_start_attributes(*record, *sampler_attributes, config.limits);
  }
  record->start_time_unix_nano = (options != nullptr && options->start_time)
                                     ? detail::to_unix_nano(*options->start_time)
                                     : detail::now_unix_nano();
  if (provider.starts_watched) provider.processor->on_start(*record, parent);
  return record;
}

}  // namespace weft
