// The environment as a context carrier: TRACEPARENT/TRACESTATE/BAGGAGE written for a child, and
// read by a weft program at start-up (with an opt-out, and one warning for a malformed value).
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "exported_traces.h"
#include "global_file_provider.h"
#include "run_command.h"
#include "weft/weft.h"

namespace weft {
namespace {

SpanContext sample_span_context() {
  SpanContext context;
  context.trace_id = *TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736");
  context.span_id = *SpanId::from_hex("00f067aa0ba902b7");
  context.flags = TraceFlags(TraceFlags::kSampled);
  context.trace_state = *TraceState::parse("vendor=value");
  return context;
}

TEST(EnvironmentCarrierTest, InjectWritesUppercaseVariablesAndReplacesStaleOnes) {
  std::vector<std::string> environment{"PATH=/bin", "TRACEPARENT=stale", "traceparent=lower",
                                       "BAGGAGE=old=1"};
  const Context context =
      Context().with_span(sample_span_context()).with_baggage(Baggage().set("k", "v w"));
  inject_environment(context, environment);
  EnvironmentCarrier carrier(environment);
  EXPECT_EQ(carrier.get("traceparent"), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  EXPECT_EQ(carrier.get("tracestate"), "vendor=value");
  EXPECT_EQ(carrier.get("baggage"), "k=v%20w");
  EXPECT_EQ(std::count(environment.begin(), environment.end(), "TRACEPARENT=stale"), 0);
  EXPECT_EQ(std::count(environment.begin(), environment.end(), "PATH=/bin"), 1);
  EXPECT_EQ(std::count(environment.begin(), environment.end(), "traceparent=lower"), 1)
      << "environment names are case-sensitive: only the uppercase one is the carrier's";
}

TEST(EnvironmentCarrierTest, AnEmptyContextRemovesInheritedVariables) {
  std::vector<std::string> environment{"TRACEPARENT=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                                       "TRACESTATE=a=b", "BAGGAGE=k=v", "HOME=/root"};
  inject_environment(Context(), environment);
  EXPECT_EQ(environment, std::vector<std::string>{"HOME=/root"});
}

TEST(EnvironmentCarrierTest, InjectThenExtractIsTheIdentity) {
  std::vector<std::string> environment;
  const Context context =
      Context().with_span(sample_span_context()).with_baggage(Baggage().set("user", "ada"));
  inject_environment(context, environment);
  EnvironmentCarrier carrier(environment);
  Context extracted = propagation::global().extract(carrier);
  SpanContext expected = sample_span_context();
  expected.is_remote = true;
  EXPECT_EQ(extracted.span_context(), expected);
  EXPECT_EQ(extracted.baggage().get("user"), "ada");
}

using StartupContextTest = testing::GlobalFileProviderTest;

// Runs the traced child through a shell so its stderr lands in a file; returns that text.
std::string run_child_with(const std::vector<std::string>& extra_environment,
                           const std::string& stderr_path) {
  SpawnOptions options;
  options.argv = {"/bin/sh", "-c", std::string("exec '") + WEFT_TRACED_CHILD + "' spans 2>'" +
                                       stderr_path + "'"};
  options.propagate_context = false;
  options.record_span = false;
  options.environment = current_environment();
  for (const std::string& entry : extra_environment) options.environment->push_back(entry);
  Spawned started = spawn(options);
  EXPECT_TRUE(started) << started.error;
  if (started) started.child->wait();
  std::ifstream file(stderr_path);
  std::stringstream text;
  text << file.rdbuf();
  std::remove(stderr_path.c_str());
  return text.str();
}

TEST_F(StartupContextTest, AProgramStartsUnderTheTraceparentInItsEnvironment) {
  run_child_with({"TRACEPARENT=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
                 path_ + ".err");
  std::vector<cli::SpanRecord> spans = flushed_spans();
  const cli::SpanRecord* child_main = testing::find_span(spans, "child-main");
  ASSERT_NE(child_main, nullptr);
  EXPECT_EQ(child_main->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(child_main->parent_span_id, "00f067aa0ba902b7");
}

TEST_F(StartupContextTest, AMalformedTraceparentIsIgnoredWithOneWarning) {
  const std::string errors = run_child_with({"TRACEPARENT=00-nonsense-01"}, path_ + ".err");
  std::vector<cli::SpanRecord> spans = flushed_spans();
  const cli::SpanRecord* child_main = testing::find_span(spans, "child-main");
  ASSERT_NE(child_main, nullptr);
  EXPECT_TRUE(child_main->parent_span_id.empty());
  EXPECT_NE(errors.find("TRACEPARENT"), std::string::npos) << errors;
  EXPECT_EQ(errors.find("TRACEPARENT"), errors.rfind("TRACEPARENT")) << "warned more than once";
}

TEST_F(StartupContextTest, InheritingCanBeTurnedOff) {
  run_child_with({"TRACEPARENT=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                  "WEFT_INHERIT_CONTEXT=false"},
                 path_ + ".err");
  std::vector<cli::SpanRecord> spans = flushed_spans();
  const cli::SpanRecord* child_main = testing::find_span(spans, "child-main");
  ASSERT_NE(child_main, nullptr);
  EXPECT_TRUE(child_main->parent_span_id.empty());
  EXPECT_NE(child_main->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
}

// With the SDK disabled, spans record nothing but still carry the context they started under,
// including the one a program inherits from its environment, even when a span is the program's
// very first weft call.
TEST(StartupContextDisabledTest, ADisabledSdkStillStartsUnderTheTraceparentInItsEnvironment) {
  const testing::CommandOutput result = testing::run_command(
      "env -u WEFT_INHERIT_CONTEXT OTEL_SDK_DISABLED=true "
      "TRACEPARENT=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 '" +
      std::string(WEFT_TRACED_CHILD) + "' first-span");
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(result.output, "4bf92f3577b34da6a3ce929d0e0e4736 00f067aa0ba902b7\n");
}

}  // namespace
}  // namespace weft
