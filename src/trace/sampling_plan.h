// The built-in samplers' decisions, worked out once per provider, so that starting a span under
// one of them (the overwhelming case: parentbased_always_on by default) needs no virtual call and
// builds no SamplingParameters or SamplingResult. A custom sampler is always called.
#pragma once

#include <cstdint>

#include "weft/sampler.h"

namespace weft::detail {

class SamplingPlan {
 public:
  enum class Rule : std::uint8_t { kCallSampler, kSample, kDrop, kTraceIdRatio };

  explicit SamplingPlan(const Sampler& sampler);

  // The rule for a span whose parent is `parent` (invalid for a new root).
  struct Step {
    Rule rule;
    std::uint64_t threshold;  // kTraceIdRatio: sampled when the id's randomness is at least this
  };
  const Step& step_for(const SpanContext& parent) const noexcept {
    if (!parent.is_valid()) return steps_[kRoot];
    if (parent.is_remote) return steps_[parent.is_sampled() ? kRemoteSampled : kRemoteNotSampled];
    return steps_[parent.is_sampled() ? kLocalSampled : kLocalNotSampled];
  }

  // The steps of the non-recording fast path (Tracer::start_unsampled_in).
  const Step& root_step() const noexcept { return steps_[kRoot]; }
  bool drops_local_unsampled_children() const noexcept {
    return steps_[kLocalNotSampled].rule == Rule::kDrop;
  }

  // Applies a rule other than kCallSampler.
  static bool samples(const Step& step, const TraceId& trace_id) noexcept {
    switch (step.rule) {
      case Rule::kSample:
        return true;
      case Rule::kTraceIdRatio:
        return (trace_id.low() & ((1ULL << 56) - 1)) >= step.threshold;
      default:
        return false;
    }
  }

 private:
  enum ParentKind { kRoot, kRemoteSampled, kRemoteNotSampled, kLocalSampled, kLocalNotSampled };
  Step steps_[5];
};

}  // namespace weft::detail
