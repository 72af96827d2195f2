// Samplers: always on/off, trace id ratio (deterministic by trace id, right proportion), and the
// parent-based rules for each kind of parent.
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "test_provider.h"
#include "weft/diagnostics.h"
#include "weft/sampler.h"

namespace weft {
namespace {

SamplingDecision decide(const Sampler& sampler, const Context& parent, const TraceId& trace_id) {
  const Attributes no_attributes;
  const std::vector<Link> no_links;
  return sampler
      .should_sample(SamplingParameters{parent, trace_id, "span", SpanKind::kInternal,
                                        no_attributes, no_links})
      .decision;
}

// Options whose only setting is `sampler`.
Options sampled_by(std::shared_ptr<const Sampler> sampler) {
  Options options;
  options.sampler = std::move(sampler);
  return options;
}

Context parent_context(bool remote, bool sampled) {
  SpanContext span;
  span.trace_id = generate_trace_id();
  span.span_id = generate_span_id();
  span.is_remote = remote;
  span.flags = TraceFlags(sampled ? TraceFlags::kSampled : 0);
  return Context().with_span(span);
}

TEST(SamplerTest, AlwaysOnAndAlwaysOff) {
  EXPECT_EQ(decide(*always_on_sampler(), Context(), generate_trace_id()),
            SamplingDecision::kRecordAndSample);
  EXPECT_EQ(decide(*always_off_sampler(), Context(), generate_trace_id()), SamplingDecision::kDrop);
  EXPECT_EQ(always_on_sampler()->description(), "AlwaysOnSampler");
}

TEST(SamplerTest, RatioDecidesByTheRandomPartOfTheTraceId) {
  auto half = trace_id_ratio_sampler(0.5);
  // Randomness is the 56 rightmost bits; the threshold for 0.5 is 2^55.
  const TraceId low = TraceId::from_words(0xffffffffffffffffULL, 0xff7fffffffffffffULL);
  const TraceId high = TraceId::from_words(0, 0x0080000000000000ULL);
  EXPECT_EQ(decide(*half, Context(), low), SamplingDecision::kDrop);
  EXPECT_EQ(decide(*half, Context(), high), SamplingDecision::kRecordAndSample);
  EXPECT_EQ(decide(*trace_id_ratio_sampler(0.0), Context(), high), SamplingDecision::kDrop);
  EXPECT_EQ(decide(*trace_id_ratio_sampler(1.0), Context(), TraceId::from_words(0, 1)),
            SamplingDecision::kRecordAndSample);
}

TEST(SamplerTest, RatioSamplesTheRightProportion) {
  auto quarter = trace_id_ratio_sampler(0.25);
  int sampled = 0;
  constexpr int kTraces = 40000;
  for (int i = 0; i < kTraces; ++i) {
    if (decide(*quarter, Context(), generate_trace_id()) == SamplingDecision::kRecordAndSample) {
      ++sampled;
    }
  }
  EXPECT_NEAR(static_cast<double>(sampled) / kTraces, 0.25, 0.02);
}

TEST(SamplerTest, ParentBasedFollowsEachKindOfParent) {
  auto sampler = parent_based_sampler(always_off_sampler());
  EXPECT_EQ(decide(*sampler, Context(), generate_trace_id()), SamplingDecision::kDrop)
      << "no parent: the root sampler decides";
  EXPECT_EQ(decide(*sampler, parent_context(true, true), generate_trace_id()),
            SamplingDecision::kRecordAndSample);
  EXPECT_EQ(decide(*sampler, parent_context(true, false), generate_trace_id()),
            SamplingDecision::kDrop);
  EXPECT_EQ(decide(*sampler, parent_context(false, true), generate_trace_id()),
            SamplingDecision::kRecordAndSample);
  EXPECT_EQ(decide(*sampler, parent_context(false, false), generate_trace_id()),
            SamplingDecision::kDrop);

  ParentBasedOptions inverted;
  inverted.remote_parent_sampled = always_off_sampler();
  inverted.local_parent_not_sampled = always_on_sampler();
  auto custom = parent_based_sampler(always_on_sampler(), inverted);
  EXPECT_EQ(decide(*custom, parent_context(true, true), generate_trace_id()),
            SamplingDecision::kDrop);
  EXPECT_EQ(decide(*custom, parent_context(false, false), generate_trace_id()),
            SamplingDecision::kRecordAndSample);
}

TEST(SamplerTest, UnsampledSpansAreNotExportedButPropagateTheirContext) {
  testing::MemoryProvider memory(sampled_by(always_off_sampler()));
  Tracer tracer = memory.tracer();
  ScopedSpan root = tracer.start_scoped_span("root");
  EXPECT_FALSE(root->is_recording());
  EXPECT_TRUE(root.context().is_valid());
  EXPECT_FALSE(root.context().is_sampled());
  Span child = tracer.start_span("child");
  EXPECT_EQ(child.context().trace_id, root.context().trace_id);
  child.end();
  root->end();
  EXPECT_TRUE(memory.spans->spans().empty());
}

// Spans inside a trace that was not sampled take a shortcut (see Tracer::start_unsampled_in):
// each must still be a proper child, and the shortcut must not be taken where it does not apply.
TEST(SamplerTest, ChildrenInATraceThatWasNotSampledAreProperNonRecordingChildren) {
  testing::MemoryProvider memory(sampled_by(parent_based_sampler(always_off_sampler())));
  Tracer tracer = memory.tracer();
  ScopedSpan root = tracer.start_scoped_span("root");
  ASSERT_FALSE(root->is_recording());
  std::set<SpanId> span_ids{root.context().span_id};
  for (int i = 0; i < 1000; ++i) {
    Span child = tracer.start_span("child");
    EXPECT_FALSE(child.is_recording());
    EXPECT_TRUE(child.context().is_valid());
    EXPECT_EQ(child.context().trace_id, root.context().trace_id);
    EXPECT_EQ(child.context().flags, root.context().flags) << "the random flag is kept";
    EXPECT_FALSE(child.context().is_remote);
    EXPECT_TRUE(child.context().trace_state.empty());
    EXPECT_TRUE(span_ids.insert(child.context().span_id).second) << "span ids are unique";
  }
  root->end();
  EXPECT_TRUE(memory.spans->spans().empty());
}

TEST(SamplerTest, RootSpansAreSampledInTheRatioAndEachKeepsTheIdItWasSampledBy) {
  testing::MemoryProvider memory(sampled_by(parent_based_sampler(trace_id_ratio_sampler(0.25))));
  Tracer tracer = memory.tracer();
  auto quarter = trace_id_ratio_sampler(0.25);
  int sampled = 0;
  constexpr int kRoots = 40000;
  for (int i = 0; i < kRoots; ++i) {
    Span root = tracer.start_span("root");
    const bool ratio_says = decide(*quarter, Context(), root.context().trace_id) ==
                            SamplingDecision::kRecordAndSample;
    ASSERT_EQ(root.context().is_sampled(), ratio_says);
    ASSERT_EQ(root.is_recording(), ratio_says);
    ASSERT_TRUE(root.context().flags.random());
    if (ratio_says) ++sampled;
  }
  EXPECT_NEAR(static_cast<double>(sampled) / kRoots, 0.25, 0.02);
  EXPECT_EQ(memory.spans->spans().size(), static_cast<std::size_t>(sampled));
}

TEST(SamplerTest, ChildrenOfANonSampledParentKeepItsTraceState) {
  testing::MemoryProvider memory(sampled_by(parent_based_sampler(always_on_sampler())));
  Tracer tracer = memory.tracer();
  SpanContext remote;
  remote.trace_id = generate_trace_id();
  remote.span_id = generate_span_id();
  remote.is_remote = true;
  remote.trace_state = *TraceState::parse("vendor=value,other=1");
  Scope incoming(Context().with_span(remote));
  ScopedSpan server = tracer.start_scoped_span("server");
  ASSERT_FALSE(server->is_recording());
  Span child = tracer.start_span("child");
  EXPECT_FALSE(child.is_recording());
  EXPECT_EQ(child.context().trace_id, remote.trace_id);
  EXPECT_EQ(child.context().trace_state, remote.trace_state);
}

TEST(SamplerTest, ARemoteNonSampledParentFollowsItsOwnRuleNotTheLocalOne) {
  ParentBasedOptions rules;
  rules.remote_parent_not_sampled = always_on_sampler();
  testing::MemoryProvider memory(sampled_by(parent_based_sampler(always_off_sampler(), rules)));
  const Context remote = parent_context(/*remote=*/true, /*sampled=*/false);
  Scope incoming(remote);
  Span server = memory.tracer().start_span("server");
  EXPECT_TRUE(server.is_recording());
  EXPECT_TRUE(server.context().is_sampled());
  EXPECT_EQ(server.context().trace_id, remote.span_context().trace_id);
}

TEST(SamplerTest, ADroppedRootOffTheFirstThreadIsStillCountedAsPossiblyLostContext) {
  testing::MemoryProvider memory(sampled_by(always_off_sampler()));
  Tracer tracer = memory.tracer();
  const std::uint64_t before = diagnostics().root_spans_off_main_thread;
  std::thread worker([&] {
    // The first span also makes the thread's state; the next ones find it made.
    for (int i = 0; i < 3; ++i) {
      Span root = tracer.start_span("root-on-a-worker");
      EXPECT_FALSE(root.is_recording());
      EXPECT_TRUE(root.context().is_valid());
    }
  });
  worker.join();
  EXPECT_EQ(diagnostics().root_spans_off_main_thread, before + 3);
  tracer.start_span("root-on-the-first-thread").end();
  EXPECT_EQ(diagnostics().root_spans_off_main_thread, before + 3);
}

TEST(SamplerTest, ALocalNonSampledParentWhoseChildrenAreSampledByRuleGetsRecordedChildren) {
  ParentBasedOptions rules;
  rules.local_parent_not_sampled = always_on_sampler();
  testing::MemoryProvider memory(sampled_by(parent_based_sampler(always_off_sampler(), rules)));
  Tracer tracer = memory.tracer();
  ScopedSpan root = tracer.start_scoped_span("root");
  ASSERT_FALSE(root->is_recording());
  Span child = tracer.start_span("child");
  EXPECT_TRUE(child.is_recording());
  EXPECT_TRUE(child.context().is_sampled());
  child.end();
  EXPECT_EQ(memory.find("child").context.trace_id, root.context().trace_id);
}

}  // namespace
}  // namespace weft
