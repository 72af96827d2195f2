// What `weft run` gives its child: the context in TRACEPARENT/TRACESTATE/BAGGAGE, replacing
// inherited values, and in "{{traceparent}}" arguments.
#include "child_environment.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "weft/propagation.h"

namespace weft::cli {
namespace {

const char* const kInherited[] = {
    "PATH=/usr/bin",
    "TRACEPARENT=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    "TRACESTATE=vendor=value",
    "BAGGAGE=user=alice",
    "TRACEPARENTAL=not-a-context-variable",
    "HOME=/root",
    nullptr};

std::vector<std::string> starting_with(const std::vector<std::string>& environment,
                                       const std::string& prefix) {
  std::vector<std::string> found;
  for (const std::string& entry : environment) {
    if (entry.rfind(prefix, 0) == 0) found.push_back(entry);
  }
  return found;
}

TEST(ChildEnvironmentTest, ReadsTheContextFromTheEnvironment) {
  const Context context = context_from_environment(kInherited);
  ASSERT_TRUE(context.has_span());
  EXPECT_EQ(context.span_context().trace_id.to_hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(context.span_context().span_id.to_hex(), "00f067aa0ba902b7");
  EXPECT_TRUE(context.span_context().is_remote);

  const char* const invalid[] = {"TRACEPARENT=00-zz-00f067aa0ba902b7-01", nullptr};
  EXPECT_FALSE(context_from_environment(invalid).has_span());
  EXPECT_FALSE(context_from_environment(nullptr).has_span());
}

TEST(ChildEnvironmentTest, ReplacesInheritedContextVariablesAndKeepsTheRest) {
  SpanContext child_span;
  child_span.trace_id = TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").value();
  child_span.span_id = SpanId::from_hex("1111111111111111").value();
  child_span.flags = TraceFlags(1);
  const Context context = context_from_environment(kInherited).with_span(child_span);
  const std::vector<std::string> environment = child_environment(kInherited, context);
  EXPECT_EQ(starting_with(environment, "TRACEPARENT="),
            std::vector<std::string>{"TRACEPARENT=00-4bf92f3577b34da6a3ce929d0e0e4736-"
                                     "1111111111111111-01"});
  EXPECT_TRUE(starting_with(environment, "TRACESTATE=").empty())
      << "the new span context carries no trace state";
  EXPECT_EQ(starting_with(environment, "BAGGAGE="), std::vector<std::string>{"BAGGAGE=user=alice"});
  EXPECT_EQ(starting_with(environment, "PATH="), std::vector<std::string>{"PATH=/usr/bin"});
  EXPECT_EQ(starting_with(environment, "TRACEPARENTAL=").size(), 1u);
  EXPECT_EQ(environment.size(), 5u);
}

TEST(ChildEnvironmentTest, AnEmptyContextRemovesInheritedVariables) {
  const std::vector<std::string> environment = child_environment(kInherited, Context());
  EXPECT_TRUE(starting_with(environment, "TRACEPARENT=").empty());
  EXPECT_TRUE(starting_with(environment, "BAGGAGE=").empty());
  EXPECT_EQ(environment.size(), 3u);
}

TEST(ChildEnvironmentTest, SubstitutesEveryTraceparentPlaceholder) {
  EXPECT_EQ(substitute_traceparent({"curl", "-H", "traceparent: {{traceparent}}", "x{{traceparent}}"
                                    "y{{traceparent}}", "{{other}}"},
                                   "00-ab-cd-01"),
            (std::vector<std::string>{"curl", "-H", "traceparent: 00-ab-cd-01",
                                      "x00-ab-cd-01y00-ab-cd-01", "{{other}}"}));
  EXPECT_EQ(substitute_traceparent({"{{traceparent}}"}, ""), std::vector<std::string>{""});
  EXPECT_EQ(substitute_traceparent({"{{traceparent}}"}, "{{traceparent}}"),
            std::vector<std::string>{"{{traceparent}}"})
      << "a replacement is not substituted again";
}

}  // namespace
}  // namespace weft::cli
