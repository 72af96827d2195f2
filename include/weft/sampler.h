// Samplers decide, when a span starts, whether it is recorded and exported. The built-in ones are
// OpenTelemetry's: always_on, always_off, traceidratio and parentbased_*; OTEL_TRACES_SAMPLER picks
// one. Sampling never changes the trace context that is propagated.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "weft/attributes.h"
#include "weft/context.h"
#include "weft/span_data.h"

namespace weft {

enum class SamplingDecision { kDrop, kRecordOnly, kRecordAndSample };

struct SamplingResult {
  SamplingDecision decision = SamplingDecision::kDrop;
  Attributes attributes;                   // added to the span
  std::optional<TraceState> trace_state;   // replaces the parent's trace state when set
};

struct SamplingParameters {
  const Context& parent;  // the parent context (its span context may be invalid: a new root)
  const TraceId& trace_id;
  std::string_view name;
  SpanKind kind;
  const Attributes& attributes;
  const std::vector<Link>& links;
};

class Sampler {
 public:
  virtual ~Sampler() = default;
  virtual SamplingResult should_sample(const SamplingParameters& parameters) const = 0;
  virtual std::string description() const = 0;
};

std::shared_ptr<const Sampler> always_on_sampler();
std::shared_ptr<const Sampler> always_off_sampler();
// Samples `ratio` of traces, decided by the trace id alone so every participant of a trace decides
// alike: a trace is sampled when its 56 rightmost bits (the random part, W3C Level 2) are at least
// (1 - ratio) * 2^56. A ratio outside [0, 1] is clamped.
std::shared_ptr<const Sampler> trace_id_ratio_sampler(double ratio);
// Follows the parent's sampled flag; `root` decides for new traces. The other four decide for the
// four kinds of parent and default to OpenTelemetry's (follow the parent).
struct ParentBasedOptions {
  std::shared_ptr<const Sampler> remote_parent_sampled = always_on_sampler();
  std::shared_ptr<const Sampler> remote_parent_not_sampled = always_off_sampler();
  std::shared_ptr<const Sampler> local_parent_sampled = always_on_sampler();
  std::shared_ptr<const Sampler> local_parent_not_sampled = always_off_sampler();
};
std::shared_ptr<const Sampler> parent_based_sampler(std::shared_ptr<const Sampler> root,
                                                    ParentBasedOptions options = {});

}  // namespace weft
