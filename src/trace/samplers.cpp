// OpenTelemetry's built-in samplers.
#include <cmath>
#include <cstdio>

#include "trace/sampling_plan.h"
#include "weft/sampler.h"

namespace weft {
namespace {

class FixedSampler final : public Sampler {
 public:
  explicit FixedSampler(bool sample) : sample_(sample) {}
  bool sample() const noexcept { return sample_; }
  SamplingResult should_sample(const SamplingParameters&) const override {
    SamplingResult result;
    result.decision = sample_ ? SamplingDecision::kRecordAndSample : SamplingDecision::kDrop;
    return result;
  }
  std::string description() const override { return sample_ ? "AlwaysOnSampler" : "AlwaysOffSampler"; }

 private:
  bool sample_;
};

// The randomness of a trace id is its 56 rightmost bits (W3C Trace Context Level 2), compared with
// a threshold as in OpenTelemetry's consistent probability sampling.
class TraceIdRatioSampler final : public Sampler {
 public:
  explicit TraceIdRatioSampler(double ratio) : ratio_(clamp(ratio)) {
    constexpr double kRange = 72057594037927936.0;  // 2^56
    const double rejected = (1.0 - ratio_) * kRange;
    threshold_ = rejected >= kRange ? kRandomnessLimit : static_cast<std::uint64_t>(rejected);
  }

  SamplingResult should_sample(const SamplingParameters& parameters) const override {
    const std::uint64_t randomness = parameters.trace_id.low() & (kRandomnessLimit - 1);
    SamplingResult result;
    result.decision = (ratio_ > 0.0 && randomness >= threshold_)
                          ? SamplingDecision::kRecordAndSample
                          : SamplingDecision::kDrop;
    return result;
  }

  // The threshold, or 2^56 (never) for a ratio of 0.
  std::uint64_t threshold() const noexcept { return ratio_ > 0.0 ? threshold_ : kRandomnessLimit; }

  std::string description() const override {
    char text[64];
    std::snprintf(text, sizeof text, "TraceIdRatioBased{%.6f}", ratio_);
    return text;
  }

 private:
  static constexpr std::uint64_t kRandomnessLimit = 1ULL << 56;
  static double clamp(double ratio) {
    if (std::isnan(ratio) || ratio < 0.0) return 0.0;
    return ratio > 1.0 ? 1.0 : ratio;
  }
  double ratio_;
  std::uint64_t threshold_;
};

class ParentBasedSampler final : public Sampler {
 public:
  ParentBasedSampler(std::shared_ptr<const Sampler> root, ParentBasedOptions options)
      : root_(std::move(root)), options_(std::move(options)) {}

  SamplingResult should_sample(const SamplingParameters& parameters) const override {
    const SpanContext& parent = parameters.parent.span_context();
    if (!parent.is_valid()) return root_->should_sample(parameters);
    const Sampler* delegate = nullptr;
    if (parent.is_remote) {
      delegate = parent.is_sampled() ? options_.remote_parent_sampled.get()
                                     : options_.remote_parent_not_sampled.get();
    } else {
      delegate = parent.is_sampled() ? options_.local_parent_sampled.get()
                                     : options_.local_parent_not_sampled.get();
    }
    return delegate->should_sample(parameters);
  }

  const Sampler* root() const noexcept { return root_.get(); }
  const ParentBasedOptions& options() const noexcept { return options_; }

  std::string description() const override {
    return "ParentBased{root:" + root_->description() +
           ",remoteParentSampled:" + options_.remote_parent_sampled->description() +
           ",remoteParentNotSampled:" + options_.remote_parent_not_sampled->description() +
           ",localParentSampled:" + options_.local_parent_sampled->description() +
           ",localParentNotSampled:" + options_.local_parent_not_sampled->description() + "}";
  }

 private:
  std::shared_ptr<const Sampler> root_;
  ParentBasedOptions options_;
};

// The plan's step for a sampler that is not parent-based (or a parent-based one's delegate).
detail::SamplingPlan::Step plain_step(const Sampler* sampler) {
  using Rule = detail::SamplingPlan::Rule;
  if (sampler == nullptr) return {Rule::kCallSampler, 0};  // the sampler itself decides what that means
  if (const auto* fixed = dynamic_cast<const FixedSampler*>(sampler)) {
    return {fixed->sample() ? Rule::kSample : Rule::kDrop, 0};
  }
  if (const auto* ratio = dynamic_cast<const TraceIdRatioSampler*>(sampler)) {
    return {Rule::kTraceIdRatio, ratio->threshold()};
  }
  return {Rule::kCallSampler, 0};
}

}  // namespace

namespace detail {

SamplingPlan::SamplingPlan(const Sampler& sampler) {
  const auto* parent_based = dynamic_cast<const ParentBasedSampler*>(&sampler);
  if (parent_based == nullptr) {
    for (Step& step : steps_) step = plain_step(&sampler);
    return;
  }
  const ParentBasedOptions& options = parent_based->options();
  steps_[kRoot] = plain_step(parent_based->root());
  steps_[kRemoteSampled] = plain_step(options.remote_parent_sampled.get());
  steps_[kRemoteNotSampled] = plain_step(options.remote_parent_not_sampled.get());
  steps_[kLocalSampled] = plain_step(options.local_parent_sampled.get());
  steps_[kLocalNotSampled] = plain_step(options.local_parent_not_sampled.get());
}

}  // namespace detail

std::shared_ptr<const Sampler> always_on_sampler() {
  static const auto sampler = std::make_shared<const FixedSampler>(true);
  return sampler;
}

std::shared_ptr<const Sampler> always_off_sampler() {
  static const auto sampler = std::make_shared<const FixedSampler>(false);
  return sampler;
}

std::shared_ptr<const Sampler> trace_id_ratio_sampler(double ratio) {
  return std::make_shared<const TraceIdRatioSampler>(ratio);
}

std::shared_ptr<const Sampler> parent_based_sampler(std::shared_ptr<const Sampler> root,
                                                    ParentBasedOptions options) {
  return std::make_shared<const ParentBasedSampler>(std::move(root), std::move(options));
}

}  // namespace weft
