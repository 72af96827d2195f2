// weft check: every finding on a hand-made file, the lost-context heuristic's both rules and
// where it stays quiet, streaming with a window, the readable and JSON reports, exit statuses.
#include "trace_check.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "check_report.h"
#include "run_command.h"
#include "sanitizer_support.h"

namespace weft::cli {
namespace {

const std::string kCheckFixtures = std::string(WEFT_TEST_FIXTURES) + "/check";

CheckReport check_fixture(const std::string& name, CheckOptions options = {}) {
  return check_files({kCheckFixtures + "/" + name}, options);
}

std::vector<const Finding*> findings_of(const CheckReport& report, FindingKind kind) {
  std::vector<const Finding*> found;
  for (const Finding& finding : report.findings) {
    if (finding.kind == kind) found.push_back(&finding);
  }
  return found;
}

std::size_t count_of(const CheckReport& report, FindingKind kind) {
  const auto found = report.finding_counts.find(kind);
  return found == report.finding_counts.end() ? 0 : found->second;
}

const TraceSummary* trace_named(const CheckReport& report, const std::string& trace_id) {
  for (const TraceSummary& trace : report.traces) {
    if (trace.trace_id == trace_id) return &trace;
  }
  return nullptr;
}

const std::string kTraceA(32, 'a');
const std::string kTraceB(32, 'b');
const std::string kTraceC(32, 'c');

TEST(TraceCheckTest, AConnectedTraceAcrossThreadsAndProcessesHasNoFindings) {
  const CheckReport report = check_fixture("connected.jsonl");
  EXPECT_TRUE(report.findings.empty());
  ASSERT_EQ(report.traces.size(), 1u);
  const TraceSummary& trace = report.traces[0];
  EXPECT_EQ(trace.root_name, "handle-request");
  EXPECT_EQ(trace.spans, 3u);
  EXPECT_EQ(trace.roots, 1u);
  EXPECT_EQ(trace.processes, 2u);
  EXPECT_EQ(trace.threads, 3u) << "main and worker-1 in 100, main in 200";
  EXPECT_FALSE(trace.broken);
  EXPECT_EQ(report.exit_status(), 0);
  EXPECT_EQ(check_verdict(report), "all 1 trace connected");
}

TEST(TraceCheckTest, ASpanWhoseParentNeverArrivedIsABrokenLink) {
  const CheckReport report = check_fixture("broken_link.jsonl");
  const auto broken = findings_of(report, FindingKind::kBrokenLink);
  ASSERT_EQ(broken.size(), 1u);
  EXPECT_EQ(broken[0]->span_name, "orphan");
  EXPECT_EQ(broken[0]->span_id, "a000000000000002");
  EXPECT_EQ(broken[0]->location, kCheckFixtures + "/broken_link.jsonl:1");
  EXPECT_NE(broken[0]->detail.find("a0000000000000ff never arrived"), std::string::npos);
  ASSERT_EQ(report.traces.size(), 1u);
  EXPECT_EQ(report.traces[0].broken_links, 1u);
  EXPECT_TRUE(report.traces[0].broken);
  EXPECT_EQ(report.exit_status(), 1);
}

TEST(TraceCheckTest, ATraceWithTwoRootsIsBroken) {
  const CheckReport report = check_fixture("multiple_roots.jsonl");
  ASSERT_EQ(findings_of(report, FindingKind::kMultipleRoots).size(), 1u);
  ASSERT_EQ(report.traces.size(), 1u);
  EXPECT_EQ(report.traces[0].roots, 2u);
  EXPECT_EQ(report.traces[0].root_name, "first-root");
  EXPECT_EQ(report.exit_status(), 1);
}

// One root and no missing parent is not enough: "ping" and "pong" are each other's parent and
// "narcissus" is its own, so none of them (nor "below-the-loop", under "ping") hangs off the root.
TEST(TraceCheckTest, SpansWhoseParentLinksLoopAreAParentCycleAndBreakTheTrace) {
  const CheckReport report = check_fixture("parent_cycle.jsonl");
  const auto cycle = findings_of(report, FindingKind::kParentCycle);
  ASSERT_EQ(cycle.size(), 3u) << "the spans on the loops, not the one below them";
  std::map<std::string, std::string> detail_by_name;
  for (const Finding* finding : cycle) detail_by_name[finding->span_name] = finding->detail;
  EXPECT_EQ(detail_by_name["ping"],
            "its parent a000000000000003 (\"pong\") leads back to it: a cycle of 2 spans, not "
            "reachable from the root");
  EXPECT_EQ(detail_by_name["pong"].rfind("its parent a000000000000002 (\"ping\")", 0), 0u);
  EXPECT_EQ(detail_by_name["narcissus"], "it is its own parent, so it is not reachable from the root");
  EXPECT_EQ(cycle[0]->location, kCheckFixtures + "/parent_cycle.jsonl:1");
  EXPECT_TRUE(breaks_trace(FindingKind::kParentCycle));
  EXPECT_EQ(count_of(report, FindingKind::kBrokenLink), 0u);
  ASSERT_EQ(report.traces.size(), 1u);
  EXPECT_EQ(report.traces[0].roots, 1u);
  EXPECT_EQ(report.traces[0].cycle_spans, 3u);
  EXPECT_TRUE(report.traces[0].broken);
  EXPECT_EQ(report.exit_status(), 1);
  EXPECT_EQ(check_verdict(report), "1 of 1 trace broken (3 spans in a parent cycle)");
  std::ostringstream out;
  print_check_report(report, out);
  EXPECT_NE(out.str().find("BROKEN: 3 spans in a parent cycle"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("parent-cycle: trace " + kTraceA + ", span \"narcissus\" a000000000000004"),
            std::string::npos)
      << out.str();
}

TEST(TraceCheckTest, ARootOnAWorkerThreadWhileTheMainThreadHadATraceIsLostContext) {
  const CheckReport report = check_fixture("lost_context_thread.jsonl");
  const auto lost = findings_of(report, FindingKind::kLostContext);
  ASSERT_EQ(lost.size(), 1u) << "housekeeping started with nothing in flight: not suspicious";
  EXPECT_EQ(lost[0]->trace_id, kTraceB);
  EXPECT_EQ(lost[0]->span_name, "worker-task");
  EXPECT_NE(lost[0]->detail.find("thread 101 (worker-1), not the main thread of process 100"),
            std::string::npos)
      << lost[0]->detail;
  EXPECT_NE(lost[0]->detail.find("while trace " + kTraceA + " was in flight"), std::string::npos);
  EXPECT_TRUE(trace_named(report, kTraceB)->broken);
  EXPECT_FALSE(trace_named(report, kTraceA)->broken);
  EXPECT_FALSE(trace_named(report, kTraceC)->broken);
  EXPECT_EQ(report.broken_traces, 1u);
  EXPECT_EQ(report.exit_status(), 1);
}

TEST(TraceCheckTest, ARootInAChildOfATracedProcessWhileItHadATraceIsLostContext) {
  const CheckReport report = check_fixture("lost_context_process.jsonl");
  const auto lost = findings_of(report, FindingKind::kLostContext);
  ASSERT_EQ(lost.size(), 1u) << "process 300's parent is not in the input: not suspicious";
  EXPECT_EQ(lost[0]->span_name, "child-main");
  EXPECT_NE(lost[0]->detail.find("process 200 (shop), a child of traced process 100"),
            std::string::npos)
      << lost[0]->detail;
  EXPECT_NE(lost[0]->detail.find(kTraceA), std::string::npos);
  EXPECT_EQ(report.exit_status(), 1);
}

TEST(TraceCheckTest, ChildrenOutsideTheirParentsTimeBeyondTheToleranceAreReported) {
  const CheckReport report = check_fixture("timing.jsonl");
  const auto early = findings_of(report, FindingKind::kStartsBeforeParent);
  const auto late = findings_of(report, FindingKind::kEndsAfterParent);
  ASSERT_EQ(early.size(), 1u) << "nearly-on-time is 0.5 ms out, within the 1 ms tolerance";
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(early[0]->span_name, "early-child");
  EXPECT_EQ(early[0]->detail, "starts 5.00 ms before its parent \"parent\"");
  EXPECT_EQ(late[0]->span_name, "late-child");
  EXPECT_EQ(late[0]->detail, "ends 5.00 ms after its parent \"parent\"");
  EXPECT_EQ(report.traces[0].timing_problems, 2u);
  EXPECT_EQ(report.exit_status(), 0) << "skew is worth a look, not a broken trace";

  CheckOptions strict;
  strict.tolerance_ns = 100'000;
  EXPECT_EQ(count_of(check_fixture("timing.jsonl", strict), FindingKind::kStartsBeforeParent), 2u);
  CheckOptions lenient;
  lenient.tolerance_ns = 10'000'000;
  EXPECT_TRUE(check_fixture("timing.jsonl", lenient).findings.empty());
}

TEST(TraceCheckTest, SpansKilledWithTheirProcessSayHowItDied) {
  const CheckReport report = check_fixture("killed.jsonl");
  const auto killed = findings_of(report, FindingKind::kKilled);
  ASSERT_EQ(killed.size(), 2u);
  EXPECT_EQ(killed[0]->span_name, "crunch");
  EXPECT_EQ(killed[0]->detail, "its process was killed by SIGKILL before ending it");
  EXPECT_EQ(killed[1]->span_name, "convert");
  EXPECT_EQ(killed[1]->detail, "its process exited with code 3 before ending it");
  EXPECT_EQ(report.traces[0].killed_spans, 2u);
  EXPECT_EQ(report.traces[0].processes, 3u);
  EXPECT_FALSE(report.traces[0].broken) << "the spans are there, and linked";
}

TEST(TraceCheckTest, DuplicateSpanIdsAreReported) {
  const CheckReport report = check_fixture("duplicate_span_id.jsonl");
  ASSERT_EQ(findings_of(report, FindingKind::kDuplicateSpanId).size(), 1u);
  EXPECT_EQ(findings_of(report, FindingKind::kDuplicateSpanId)[0]->span_name, "twin");
}

// A file that holds every line twice (an exporter that retried requests whose answers were lost)
// is the same traces: checked once, with the copies counted and no finding about them.
TEST(TraceCheckTest, SpansDeliveredAgainAreCheckedOnce) {
  const std::string fixture = kCheckFixtures + "/killed.jsonl";
  const CheckReport once = check_files({fixture}, {});
  const CheckReport twice = check_files({fixture, fixture}, {});
  ASSERT_GT(once.spans, 0u);
  EXPECT_EQ(twice.spans, 2 * once.spans);
  EXPECT_EQ(twice.redelivered_spans, once.spans);
  EXPECT_EQ(twice.finding_counts, once.finding_counts);
  EXPECT_EQ(count_of(twice, FindingKind::kDuplicateSpanId), 0u);
  EXPECT_EQ(count_of(twice, FindingKind::kMultipleRoots), 0u);
  ASSERT_EQ(twice.traces.size(), once.traces.size());
  EXPECT_EQ(twice.traces[0].spans, once.traces[0].spans);
  EXPECT_EQ(twice.traces[0].killed_spans, once.traces[0].killed_spans);
  EXPECT_EQ(twice.broken_traces, once.broken_traces);
  EXPECT_NE(check_verdict(twice).find(std::to_string(once.spans) +
                                      " spans delivered again (a retried export) counted once"),
            std::string::npos)
      << check_verdict(twice);
}

// Two spans of a trace share an id (a finding); the file is read twice: the second file's copies
// of both are redeliveries, and the finding is counted once, as for one file.
TEST(TraceCheckTest, CopiesOfSpansThatShareAnIdAreRedeliveriesToo) {
  const std::string fixture = kCheckFixtures + "/duplicate_span_id.jsonl";
  const CheckReport once = check_files({fixture}, {});
  const CheckReport twice = check_files({fixture, fixture}, {});
  ASSERT_EQ(count_of(once, FindingKind::kDuplicateSpanId), 1u);
  EXPECT_EQ(count_of(twice, FindingKind::kDuplicateSpanId), 1u);
  EXPECT_EQ(twice.redelivered_spans, once.spans);
  EXPECT_EQ(twice.finding_counts, once.finding_counts);
}

// The same span twice in one request is no retry (a retry sends the whole request again): it
// stays a duplicate-span-id finding.
TEST(TraceCheckTest, ASpanTwiceInOneRequestIsStillADuplicate) {
  const std::string path = ::testing::TempDir() + "weft_twice_in_one_line.jsonl";
  {
    const std::string span =
        R"({"traceId":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","spanId":"a000000000000001","name":"root",)"
        R"("startTimeUnixNano":"100","endTimeUnixNano":"200"})";
    std::ofstream out(path);
    out << R"({"resourceSpans":[{"resource":{"attributes":[]},"scopeSpans":[{"scope":{},"spans":[)"
        << span << ',' << span << "]}]}]}\n";
  }
  const CheckReport report = check_files({path}, {});
  std::remove(path.c_str());
  EXPECT_EQ(report.redelivered_spans, 0u);
  EXPECT_EQ(count_of(report, FindingKind::kDuplicateSpanId), 1u);
}

TEST(TraceCheckTest, MalformedLinesAreReportedWithLineNumbersAndSkipped) {
  const CheckReport report = check_files({std::string(WEFT_TEST_FIXTURES) + "/malformed.jsonl"}, {});
  EXPECT_EQ(report.malformed_lines, 5u);
  ASSERT_EQ(report.problems.size(), 5u);
  EXPECT_NE(report.problems[0].find("malformed.jsonl:2: not valid JSON"), std::string::npos);
  EXPECT_EQ(report.spans, 2u) << "the good lines are still checked";
  EXPECT_EQ(report.broken_traces, 0u);
  EXPECT_EQ(report.exit_status(), 1) << "skipped lines may have held spans";
}

TEST(TraceCheckTest, AFileThatCannotBeReadGivesExitStatusTwo) {
  const CheckReport report = check_files({"/nonexistent/traces.jsonl"}, {});
  EXPECT_TRUE(report.unreadable);
  EXPECT_EQ(report.exit_status(), 2);
}

// An empty file, or one of empty requests, holds nothing to check: that fails, so a check of a
// program whose exporter wrote nothing does not pass.
TEST(TraceCheckTest, InputWithNoSpansFailsTheCheck) {
  const std::string path = ::testing::TempDir() + "/weft_check_empty_" + std::to_string(getpid());
  for (const std::string contents : {"", "\n", "{}\n{\"resourceSpans\":[]}\n"}) {
    {
      std::ofstream file(path, std::ios::trunc);
      file << contents;
    }
    const CheckReport report = check_files({path}, {});
    EXPECT_FALSE(report.unreadable);
    EXPECT_EQ(report.total_traces, 0u);
    EXPECT_EQ(report.exit_status(), 1) << "contents: " << contents;
    EXPECT_EQ(check_verdict(report).rfind("no traces", 0), 0u) << check_verdict(report);
  }
  std::remove(path.c_str());
}

// A span record as the reader produces it, for feeding the checker directly.
SpanRecord make_span(const std::string& trace_id, std::uint64_t span, std::uint64_t parent,
                     std::uint64_t start_ms, std::uint64_t end_ms) {
  static const auto resource = std::make_shared<const Attributes>(
      Attributes{{"process.pid", "100"}, {"host.name", "box"}, {"service.name", "test"}});
  auto hex = [](std::uint64_t value) {
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
    return std::string(text);
  };
  SpanRecord record;
  record.trace_id = trace_id;
  record.span_id = hex(span);
  record.parent_span_id = parent == 0 ? "" : hex(parent);
  record.name = "span-" + std::to_string(span);
  record.start_ns = start_ms * 1'000'000;
  record.end_ns = end_ms * 1'000'000;
  record.attributes = {{"thread.id", "100"}};
  record.resource = resource;
  record.location = "input:" + std::to_string(span);
  return record;
}

TEST(TraceCheckTest, AWindowForgetsIdleConnectedTracesButKeepsOnesWaitingForAParent) {
  CheckOptions options;
  options.trace_window = 2;
  TraceChecker checker(options);
  checker.add(make_span(kTraceA, 2, 1, 1, 2));
  checker.add(make_span(kTraceA, 1, 0, 0, 3));  // A is connected now
  checker.add(make_span(kTraceB, 12, 11, 1, 2));  // B waits for its parent...
  checker.add(make_span(kTraceC, 21, 0, 0, 1));
  checker.add(make_span(kTraceC, 22, 21, 0, 1));  // ...A has been idle for 2 spans: checked
  checker.add(make_span(kTraceC, 23, 21, 0, 1));  // B is idle too, but is kept: not connected
  checker.add(make_span(kTraceB, 11, 0, 0, 3));   // B's parent arrives late
  checker.add(make_span(kTraceA, 3, 1, 1, 2));    // a straggler of A, after A was checked
  const CheckReport report = checker.finish();
  EXPECT_EQ(count_of(report, FindingKind::kBrokenLink), 1u) << "only A's straggler";
  ASSERT_EQ(findings_of(report, FindingKind::kSplitByWindow).size(), 1u);
  EXPECT_EQ(findings_of(report, FindingKind::kSplitByWindow)[0]->trace_id, kTraceA);
  ASSERT_NE(trace_named(report, kTraceB), nullptr);
  EXPECT_FALSE(trace_named(report, kTraceB)->broken);
  EXPECT_EQ(trace_named(report, kTraceB)->spans, 2u);

  TraceChecker keep_all;  // window 0: the straggler joins its trace
  for (const auto& span :
       {make_span(kTraceA, 2, 1, 1, 2), make_span(kTraceA, 1, 0, 0, 3),
        make_span(kTraceC, 21, 0, 0, 1), make_span(kTraceC, 22, 21, 0, 1),
        make_span(kTraceC, 23, 21, 0, 1), make_span(kTraceA, 3, 1, 1, 2)}) {
    keep_all.add(span);
  }
  const CheckReport all = keep_all.finish();
  EXPECT_TRUE(all.findings.empty());
  EXPECT_EQ(trace_named(all, kTraceA)->spans, 3u);
}

TEST(TraceCheckTest, EachLinesResourceIsItsOwnEvenWhenTheLastOneWasFreed) {
  // A streaming reader frees a line's resource before it reads the next one, which malloc then
  // likely places at the same address: the checker must not take it for the one it saw last.
  TraceChecker checker;
  for (const char* pid : {"100", "200", "300"}) {
    SpanRecord span = make_span(kTraceA, std::strtoull(pid, nullptr, 10), 0, 0, 1);
    span.resource = std::make_shared<const Attributes>(
        Attributes{{"process.pid", pid}, {"host.name", "box"}, {"service.name", "test"}});
    checker.add(span);
  }
  const CheckReport report = checker.finish();
  ASSERT_EQ(report.traces.size(), 1u);
  EXPECT_EQ(report.traces[0].processes, 3u);
}

// A chain 100,000 spans deep under the root, and a loop of 100,000 spans: both are walked without
// recursion (a recursive walk would overflow the stack) and in linear time.
TEST(TraceCheckTest, ADeepChainIsConnectedAndALongParentCycleIsFoundWithoutRecursion) {
  constexpr std::uint64_t kDepth = 100'000;
  TraceChecker checker;
  checker.add(make_span(kTraceA, 1, 0, 0, 10));
  for (std::uint64_t span = 2; span <= kDepth; ++span) {
    checker.add(make_span(kTraceA, span, span - 1, 1, 2));
  }
  const std::uint64_t loop = 1'000'000;  // spans loop, loop + 1, ... each the parent of the one before
  for (std::uint64_t span = loop; span < loop + kDepth; ++span) {
    checker.add(make_span(kTraceB, span, span + 1 < loop + kDepth ? span + 1 : loop, 1, 2));
  }
  checker.add(make_span(kTraceB, 1, 0, 0, 10));
  const CheckReport report = checker.finish();
  ASSERT_NE(trace_named(report, kTraceA), nullptr);
  EXPECT_FALSE(trace_named(report, kTraceA)->broken);
  ASSERT_NE(trace_named(report, kTraceB), nullptr);
  EXPECT_TRUE(trace_named(report, kTraceB)->broken);
  EXPECT_EQ(trace_named(report, kTraceB)->cycle_spans, kDepth);
  EXPECT_EQ(count_of(report, FindingKind::kParentCycle), kDepth);
  EXPECT_EQ(findings_of(report, FindingKind::kParentCycle).size(), kMaxListedFindings);
  EXPECT_EQ(report.broken_traces, 1u);
}

// A trace checked early (its window passed) is kept to the end when it loops, like one waiting
// for a parent, and is then reported broken.
TEST(TraceCheckTest, ATraceWithAParentCycleIsNotForgottenByTheWindow) {
  CheckOptions options;
  options.trace_window = 1;
  TraceChecker checker(options);
  checker.add(make_span(kTraceA, 1, 0, 0, 3));
  checker.add(make_span(kTraceA, 2, 2, 1, 2));
  checker.add(make_span(kTraceC, 21, 0, 0, 1));
  checker.add(make_span(kTraceC, 22, 21, 0, 1));
  const CheckReport report = checker.finish();
  ASSERT_NE(trace_named(report, kTraceA), nullptr);
  EXPECT_EQ(trace_named(report, kTraceA)->cycle_spans, 1u);
  EXPECT_TRUE(trace_named(report, kTraceA)->broken);
  EXPECT_EQ(count_of(report, FindingKind::kParentCycle), 1u) << "reported once, at the end";
  EXPECT_EQ(report.exit_status(), 1);
}

TEST(TraceCheckTest, ManyConnectedTracesAreCountedNotAllListedButBrokenOnesAlwaysAre) {
  TraceChecker checker;
  const std::size_t traces = 10050;
  for (std::size_t i = 0; i < traces; ++i) {
    char trace_id[33];
    std::snprintf(trace_id, sizeof trace_id, "%032zx", i + 1);
    checker.add(make_span(trace_id, 1, i == traces - 1 ? 7 : 0, i, i + 1));
  }
  const CheckReport report = checker.finish();
  EXPECT_EQ(report.total_traces, traces);
  EXPECT_EQ(report.broken_traces, 1u);
  EXPECT_EQ(report.traces.size() + report.unlisted_connected_traces, traces);
  EXPECT_TRUE(report.traces.back().broken) << "the broken one is listed even past the limit";
  std::ostringstream out;
  print_check_report(report, out);
  EXPECT_NE(out.str().find("Verdict: 1 of 10050 traces broken (1 broken link)"), std::string::npos);
  EXPECT_LT(out.str().size(), 20000u) << "only broken traces are printed when there are many";
}

TEST(CheckProgramsTest, WhatWeftsDemoWritesIsConnectedAndTheDemoSaysSo) {
  WEFT_SKIP_WHEN_FORKED_CHILDREN_START_THREADS();  // the demo's process-pool workers start threads
  const std::string directory = ::testing::TempDir() + "/weft_check_demo_" + std::to_string(getpid());
  std::filesystem::create_directories(directory);
  const std::string traces = directory + "/demo.jsonl";
  const auto demo = weft::testing::run_weft("demo -o '" + traces + "' 2>&1");
  ASSERT_EQ(demo.status, 0) << demo.output;
  // The monitoring scenario's plain std::thread is the one trace meant to be broken.
  EXPECT_NE(demo.output.find("weft check " + traces + ": 1 of 14 traces broken (1 lost-context root"),
            std::string::npos)
      << demo.output;
  EXPECT_NE(demo.output.find("flagged as lost context, as planted; no other trace is broken"),
            std::string::npos)
      << demo.output;
  EXPECT_NE(demo.output.find("HTML report: " + directory + "/demo.html"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(directory + "/demo.html"));

  const CheckReport report = check_files({traces}, {});
  EXPECT_EQ(report.total_traces, 14u);
  EXPECT_EQ(report.broken_traces, 1u);
  EXPECT_EQ(report.finding_counts.at(FindingKind::kLostContext), 1u);
  EXPECT_EQ(report.finding_counts.at(FindingKind::kKilled), 1u) << "the killed-child scenario";
  EXPECT_EQ(report.finding_counts.count(FindingKind::kBrokenLink), 0u);
  EXPECT_EQ(report.finding_counts.count(FindingKind::kMultipleRoots), 0u);
  std::size_t multi_process_traces = 0;
  for (const TraceSummary& trace : report.traces) {
    if (trace.processes > 1) ++multi_process_traces;
  }
  EXPECT_EQ(multi_process_traces, 5u);
  std::filesystem::remove_all(directory);
}

TEST(CheckProgramsTest, APlainThreadAndAPlainChildProcessAreNamedAsLostContext) {
  const std::string traces = ::testing::TempDir() + "/weft_broken_context_" +
                             std::to_string(getpid()) + ".jsonl";
  std::remove(traces.c_str());
  const auto run = weft::testing::run_command(
      "env OTEL_TRACES_EXPORTER=file WEFT_TRACES_FILE='" + traces + "' '" +
      WEFT_BROKEN_CONTEXT_PROGRAM + "' 2>&1");
  ASSERT_EQ(run.status, 0) << run.output;

  const CheckReport report = check_files({traces}, {});
  EXPECT_EQ(report.spans, 4u);
  EXPECT_EQ(report.total_traces, 3u);
  const auto lost = findings_of(report, FindingKind::kLostContext);
  ASSERT_EQ(lost.size(), 2u);
  std::map<std::string, std::string> detail_of;
  for (const Finding* finding : lost) detail_of[finding->span_name] = finding->detail;
  EXPECT_NE(detail_of["plain-thread-work"].find("(plain-thread), not the main thread of process"),
            std::string::npos)
      << detail_of["plain-thread-work"];
  EXPECT_NE(detail_of["plain-child-work"].find("a child of traced process"), std::string::npos)
      << detail_of["plain-child-work"];
  EXPECT_EQ(count_of(report, FindingKind::kBrokenLink), 0u);
  EXPECT_EQ(report.broken_traces, 2u) << "handle-request with handed-over-work is whole";
  EXPECT_EQ(report.exit_status(), 1);

  const auto check = weft::testing::run_weft("check '" + traces + "'");
  EXPECT_EQ(check.status, 1);
  EXPECT_NE(check.output.find("span \"plain-thread-work\""), std::string::npos) << check.output;
  EXPECT_NE(check.output.find("span \"plain-child-work\""), std::string::npos);
  std::remove(traces.c_str());
}

TEST(CheckCommandTest, PrintsASummaryOrJsonAndExitsWithTheStatus) {
  using weft::testing::run_weft;
  auto result = run_weft("check '" + kCheckFixtures + "/connected.jsonl'");
  EXPECT_EQ(result.status, 0);
  EXPECT_NE(result.output.find("Verdict: all 1 trace connected"), std::string::npos) << result.output;

  result = run_weft("check '" + kCheckFixtures + "/lost_context_thread.jsonl' '" + kCheckFixtures +
                    "/broken_link.jsonl'");
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.output.find("lost-context: trace " + kTraceB + ", span \"worker-task\""),
            std::string::npos)
      << result.output;

  result = run_weft("check --json '" + kCheckFixtures + "/parent_cycle.jsonl'");
  EXPECT_EQ(result.status, 1) << result.output;
  EXPECT_EQ(nlohmann::json::parse(result.output)["totals"]["parent-cycle"], 3);
  EXPECT_EQ(nlohmann::json::parse(result.output)["traces"][0]["cycle_spans"], 3);

  result = run_weft("check --json '" + kCheckFixtures + "/killed.jsonl'");
  EXPECT_EQ(result.status, 0);
  const auto document = nlohmann::json::parse(result.output);
  EXPECT_EQ(document["exit_status"], 0);
  EXPECT_EQ(document["totals"]["killed"], 2);
  EXPECT_EQ(document["findings"][0]["kind"], "killed");
  EXPECT_EQ(document["findings"][0]["breaks_trace"], false);
  EXPECT_EQ(document["traces"][0]["processes"], 3);

  result = run_weft("check /nonexistent.jsonl");
  EXPECT_EQ(result.status, 2);

  result = run_weft("check --help");
  EXPECT_NE(result.output.find("thread.id != process.pid"), std::string::npos)
      << "the heuristic is explained";
}

}  // namespace
}  // namespace weft::cli
