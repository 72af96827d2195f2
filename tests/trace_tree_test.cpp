// weft view's trees: shape, order, durations, threads and processes, spans whose parents are
// missing or loop, and the `weft view` command end to end.
#include "trace_tree.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <sstream>

#include "sanitizer_support.h"

namespace weft::cli {
namespace {

const std::string kFixtures = WEFT_TEST_FIXTURES;
const std::string kTrace = "4bf92f3577b34da6a3ce929d0e0e4736";

// What `weft view` prints for the Collector fixture: line 2 of the file adds "audit" (which
// started first) and "cleanup" (whose parent never arrived) to the trace of line 1.
const std::string kCollectorFixtureView =
    "trace 0af7651916cd43dd8448eb211c80319c  (1 span, 1 thread, 1 process)\n"
    "└─ GET /health  120 µs  [main]\n"
    "\n"
    "trace 4bf92f3577b34da6a3ce929d0e0e4736  (6 spans, 3 threads, 2 processes)\n"
    "├─ GET /checkout  1.25 s  [main, pid 4242]\n"
    "│  ├─ audit  45.5 µs  [worker-1, pid 4242]\n"
    "│  ├─ POST /charge  800 ms  [main, pid 4242]\n"
    "│  │  └─ charge card  780 ms  [grpc-0, pid 5151]\n"
    "│  └─ render  300 ms  [worker-1, pid 4242]\n"
    "└─ cleanup  850 ns  [main, pid 4242]  (parent fedcba9876543210 missing)\n";

// 16 hex digits for `number`.
std::string span_id(std::uint64_t number) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(number));
  return text;
}

SpanRecord make_span(std::uint64_t id, std::uint64_t parent, const std::string& name,
                     std::uint64_t start_ns, std::uint64_t end_ns) {
  SpanRecord span;
  span.trace_id = kTrace;
  span.span_id = span_id(id);
  span.parent_span_id = parent == 0 ? "" : span_id(parent);
  span.name = name;
  span.start_ns = start_ns;
  span.end_ns = end_ns;
  return span;
}

std::string printed(const TraceTree& tree, const ViewOptions& options = {}) {
  std::ostringstream out;
  print_trace_tree(tree, options, out);
  return out.str();
}

// Each printed trace starts with "trace <id>  (<counts>)"; tests of the lines below check the
// counts on their own.
std::string counts_in_header(const std::string& text) {
  const std::size_t open = text.find("  (");
  const std::size_t close = text.find(")\n");
  return open < close && close != std::string::npos ? text.substr(open + 3, close - open - 3) : "";
}

std::string without_header(const std::string& text) { return text.substr(text.find('\n') + 1); }

std::vector<std::string> names_of(const TraceTree& tree, const std::vector<std::size_t>& spans) {
  std::vector<std::string> names;
  for (std::size_t span : spans) names.push_back(tree.spans[span].name);
  return names;
}

TEST(TraceTreeTest, PrintsTheCollectorFixtureAsTrees) {
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(view_files({kFixtures + "/collector_file_exporter.jsonl"}, {}, out, err), 0);
  EXPECT_EQ(out.str(), kCollectorFixtureView);
  EXPECT_EQ(err.str(), "");
}

TEST(TraceTreeTest, ListsAttributesEventsLinksAndStatusUnderEachSpanWhenAsked) {
  std::ostringstream out;
  std::ostringstream err;
  ViewOptions options;
  options.show_attributes = true;
  EXPECT_EQ(view_files({kFixtures + "/collector_file_exporter.jsonl"}, options, out, err), 0);
  const std::string expected_part =
      "├─ GET /checkout  1.25 s  [main, pid 4242]\n"
      "│  │  kind server\n"
      "│  │  http.request.method = GET\n"
      "│  │  http.response.status_code = 200\n"
      "│  │  thread.id = 1\n"
      "│  │  thread.name = main\n"
      "│  ├─ audit  45.5 µs  [worker-1, pid 4242]\n"
      "│  │     thread.id = 2\n"
      "│  │     thread.name = worker-1\n"
      "│  ├─ POST /charge  800 ms  [main, pid 4242]\n"
      "│  │  │  kind client\n"
      "│  │  │  server.address = payments\n"
      "│  │  │  thread.id = 1\n"
      "│  │  │  thread.name = main\n"
      "│  │  └─ charge card  780 ms  [grpc-0, pid 5151]\n"
      "│  │        kind server\n"
      "│  │        card.brand = visa\n"
      "│  │        amount = 12.5\n"
      "│  │        thread.id = 7\n"
      "│  │        thread.name = grpc-0\n"
      "│  │        event retry at +240 ms {attempt = 2}\n"
      "│  │        status ERROR: card declined\n";
  EXPECT_NE(out.str().find(expected_part), std::string::npos) << out.str();
  EXPECT_NE(out.str().find(
                "└─ cleanup  850 ns  [main, pid 4242]  (parent fedcba9876543210 missing)\n"
                "      thread.id = 1\n"
                "      thread.name = main\n"
                "      link to trace 0af7651916cd43dd8448eb211c80319c span 2c3d4e5f60718293\n"),
            std::string::npos)
      << out.str();
}

TEST(TraceTreeTest, ChildrenComeInOrderOfStartTimeWhateverTheOrderOfTheFile) {
  const std::vector<TraceTree> trees =
      build_trace_trees({make_span(4, 1, "late", 40, 41), make_span(2, 1, "early", 20, 21),
                         make_span(1, 0, "root", 10, 50), make_span(3, 1, "middle", 30, 31)});
  ASSERT_EQ(trees.size(), 1u);
  const TraceTree& tree = trees[0];
  ASSERT_EQ(tree.roots.size(), 1u);
  EXPECT_EQ(tree.spans[tree.roots[0].span].name, "root");
  EXPECT_EQ(tree.roots[0].reason, RootReason::kRoot);
  EXPECT_EQ(names_of(tree, tree.children[tree.roots[0].span]),
            (std::vector<std::string>{"early", "middle", "late"}));
  const std::string text = printed(tree);
  EXPECT_EQ(counts_in_header(text), "4 spans, 1 process");
  EXPECT_EQ(without_header(text),
            "└─ root  40 ns\n"
            "   ├─ early  1 ns\n"
            "   ├─ middle  1 ns\n"
            "   └─ late  1 ns\n");
}

TEST(TraceTreeTest, SpansWhoseParentIsMissingAreExtraRootsAfterTheRealOnes) {
  const std::vector<TraceTree> trees =
      build_trace_trees({make_span(2, 99, "orphan", 5, 6), make_span(1, 0, "root", 10, 20),
                         make_span(3, 2, "orphan's child", 7, 8)});
  ASSERT_EQ(trees.size(), 1u);
  const TraceTree& tree = trees[0];
  ASSERT_EQ(tree.roots.size(), 2u);
  EXPECT_EQ(tree.roots[0].reason, RootReason::kRoot);
  EXPECT_EQ(tree.roots[1].reason, RootReason::kMissingParent);
  EXPECT_EQ(tree.start_ns(), 10u) << "a trace starts when its root does";
  const std::string text = printed(tree);
  EXPECT_EQ(counts_in_header(text), "3 spans, 1 process");
  EXPECT_EQ(without_header(text),
            "├─ root  10 ns\n"
            "└─ orphan  1 ns  (parent 0000000000000063 missing)\n"
            "   └─ orphan's child  1 ns\n");
}

TEST(TraceTreeTest, ParentLinksThatLoopPrintEachSpanOnce) {
  // a -> c -> b -> a is a loop with d hanging off it; s is its own parent.
  const std::vector<TraceTree> trees = build_trace_trees(
      {make_span(3, 2, "c", 30, 31), make_span(1, 3, "a", 10, 11), make_span(2, 1, "b", 20, 21),
       make_span(4, 2, "d", 40, 41), make_span(5, 5, "s", 50, 51)});
  ASSERT_EQ(trees.size(), 1u);
  const TraceTree& tree = trees[0];
  ASSERT_EQ(tree.roots.size(), 2u);
  EXPECT_EQ(tree.roots[0].reason, RootReason::kParentCycle);
  EXPECT_EQ(tree.roots[1].reason, RootReason::kParentCycle);
  const std::string text = printed(tree);
  EXPECT_EQ(counts_in_header(text), "5 spans, 1 process");
  EXPECT_EQ(without_header(text),
            "├─ a  1 ns  (parent 0000000000000003 leads back here: a cycle)\n"
            "│  └─ b  1 ns\n"
            "│     ├─ c  1 ns\n"
            "│     └─ d  1 ns\n"
            "└─ s  1 ns  (parent 0000000000000005 leads back here: a cycle)\n");
}

TEST(TraceTreeTest, APrinterGivenAHandBuiltLoopStillPrintsEachSpanOnce) {
  TraceTree tree;
  tree.trace_id = kTrace;
  tree.spans = {make_span(1, 2, "x", 1, 2), make_span(2, 1, "y", 3, 4)};
  tree.children = {{1}, {0, 1}};
  tree.roots = {{0, RootReason::kRoot}, {1, RootReason::kRoot}};
  tree.process_count = 1;
  const std::string text = printed(tree);
  EXPECT_EQ(counts_in_header(text), "2 spans, 1 process");
  // y is also listed as a root; it is not printed again there.
  EXPECT_EQ(without_header(text),
            "├─ x  1 ns\n"
            "│  └─ y  1 ns\n");
}

TEST(TraceTreeTest, VeryDeepTracesPrintWithoutRecursionOrEndlessIndentation) {
  constexpr std::uint64_t kSpans = 200000;
  std::vector<SpanRecord> spans;
  for (std::uint64_t i = 1; i <= kSpans; ++i) spans.push_back(make_span(i, i - 1, "s", i, i + 1));
  const std::vector<TraceTree> trees = build_trace_trees(std::move(spans));
  ASSERT_EQ(trees.size(), 1u);
  ASSERT_EQ(trees[0].roots.size(), 1u);
  const std::string text = printed(trees[0]);
  std::size_t lines = 0;
  for (char c : text) lines += c == '\n' ? 1 : 0;
  EXPECT_EQ(lines, kSpans + 1);
  EXPECT_LT(text.size(), kSpans * 150) << "indentation stops growing at some depth";
  EXPECT_NE(text.find("└─ s  1 ns  (depth 199999)\n"), std::string::npos);
}

TEST(TraceTreeTest, CountsThreadsPerProcessAndProcessesPerHost) {
  const auto in_process = [](SpanRecord span, const std::string& pid, const std::string& host,
                             const std::string& thread_id) {
    auto resource = std::make_shared<Attributes>();
    if (!pid.empty()) resource->emplace_back("process.pid", pid);
    resource->emplace_back("host.name", host);
    resource->emplace_back("service.name", "svc");
    span.resource = resource;
    if (!thread_id.empty()) span.attributes.emplace_back("thread.id", thread_id);
    return span;
  };
  const std::vector<TraceTree> trees = build_trace_trees(
      {in_process(make_span(1, 0, "root", 1, 9), "10", "h1", "1"),
       in_process(make_span(2, 1, "same thread id, other pid", 2, 3), "20", "h1", "1"),
       in_process(make_span(3, 1, "same pid, other host", 3, 4), "10", "h2", "1"),
       in_process(make_span(4, 1, "same thread", 4, 5), "10", "h1", "1"),
       in_process(make_span(5, 1, "no pid, no thread", 5, 6), "", "h1", ""),
       in_process(make_span(6, 1, "no thread, in a process naming one", 6, 7), "10", "h1", "")});
  ASSERT_EQ(trees.size(), 1u);
  // The process of span 5 names no thread but ran one; span 6 may have run on thread 1.
  EXPECT_EQ(trees[0].thread_count, 4u);
  EXPECT_EQ(trees[0].process_count, 4u);
  const std::string text = printed(trees[0]);
  EXPECT_EQ(counts_in_header(text), "6 spans, 4 threads, 4 processes");
  EXPECT_EQ(without_header(text),
            "└─ root  8 ns  [1, pid 10]\n"
            "   ├─ same thread id, other pid  1 ns  [1, pid 20]\n"
            "   ├─ same pid, other host  1 ns  [1, pid 10]\n"
            "   ├─ same thread  1 ns  [1, pid 10]\n"
            "   ├─ no pid, no thread  1 ns  [svc]\n"
            "   └─ no thread, in a process naming one  1 ns  [pid 10]\n");
}

TEST(TraceTreeTest, TracesComeInOrderOfTheirRootsStart) {
  std::vector<SpanRecord> spans = {make_span(1, 0, "second", 200, 300),
                                   make_span(2, 0, "first", 100, 400),
                                   make_span(3, 9, "only an orphan", 150, 160)};
  spans[1].trace_id = "0af7651916cd43dd8448eb211c80319c";
  spans[2].trace_id = "ffffffffffffffffffffffffffffffff";
  const std::vector<TraceTree> trees = build_trace_trees(std::move(spans));
  ASSERT_EQ(trees.size(), 3u);
  EXPECT_EQ(trees[0].spans[0].name, "first");
  EXPECT_EQ(trees[1].spans[0].name, "only an orphan");
  EXPECT_EQ(trees[2].spans[0].name, "second");
}

TEST(TraceTreeTest, DuplicateSpanIdsAreMarked) {
  const std::vector<TraceTree> trees =
      build_trace_trees({make_span(1, 0, "root", 1, 9), make_span(1, 0, "root again", 2, 9)});
  ASSERT_EQ(trees.size(), 1u);
  EXPECT_EQ(trees[0].duplicate_id, (std::vector<bool>{false, true}));
  EXPECT_NE(printed(trees[0]).find("└─ root again  7 ns  (duplicate span id 0000000000000001)"),
            std::string::npos)
      << printed(trees[0]);
}

// An exporter that retries a request whose answer was lost delivers its spans twice, in another
// line: the second copies are left out and counted, and only spans that really differ (or that
// one request holds twice, an exporter's bug) are marked as duplicates.
TEST(TraceTreeTest, SpansDeliveredAgainAreShownOnce) {
  const auto at = [](SpanRecord span, const std::string& location) {
    span.location = location;
    span.request = location == "f:1" ? 1 : 2;
    return span;
  };
  const std::vector<TraceTree> trees = build_trace_trees(
      {at(make_span(1, 0, "root", 1, 9), "f:1"), at(make_span(2, 1, "child", 2, 8), "f:1"),
       at(make_span(1, 0, "root", 1, 9), "f:2"), at(make_span(2, 1, "child", 2, 8), "f:2")});
  ASSERT_EQ(trees.size(), 1u);
  EXPECT_EQ(trees[0].spans.size(), 2u);
  EXPECT_EQ(trees[0].redelivered, 2u);
  EXPECT_EQ(trees[0].roots.size(), 1u);
  EXPECT_EQ(trees[0].duplicate_id, (std::vector<bool>{false, false}));
  EXPECT_NE(printed(trees[0]).find("2 spans delivered again, shown once"), std::string::npos)
      << printed(trees[0]);

  std::vector<SpanRecord> differing = {at(make_span(1, 0, "root", 1, 9), "f:1"),
                                       at(make_span(1, 0, "root", 1, 9), "f:2")};
  differing[1].attributes.emplace_back("http.status_code", "500");
  const std::vector<TraceTree> kept = build_trace_trees(std::move(differing));
  EXPECT_EQ(kept[0].spans.size(), 2u) << "same id, different span: both are shown";
  EXPECT_EQ(kept[0].redelivered, 0u);
  EXPECT_EQ(kept[0].duplicate_id, (std::vector<bool>{false, true}));

  const std::vector<TraceTree> one_request = build_trace_trees(
      {at(make_span(1, 0, "root", 1, 9), "f:1"), at(make_span(1, 0, "root", 1, 9), "f:1")});
  EXPECT_EQ(one_request[0].spans.size(), 2u) << "twice in one request is not a retry";
  EXPECT_EQ(one_request[0].redelivered, 0u);

  // Two spans share an id; each is delivered again: both copies are left out.
  const std::vector<TraceTree> shared_id = build_trace_trees(
      {at(make_span(1, 0, "root", 1, 9), "f:1"), at(make_span(2, 1, "child", 2, 8), "f:1"),
       at(make_span(2, 1, "other", 3, 7), "f:1"), at(make_span(1, 0, "root", 1, 9), "f:2"),
       at(make_span(2, 1, "child", 2, 8), "f:2"), at(make_span(2, 1, "other", 3, 7), "f:2")});
  EXPECT_EQ(shared_id[0].spans.size(), 3u);
  EXPECT_EQ(shared_id[0].redelivered, 3u);
}

TEST(TraceTreeTest, DurationsUseAdaptiveUnitsWithThreeSignificantDigits) {
  EXPECT_EQ(format_duration(0), "0 ns");
  EXPECT_EQ(format_duration(999), "999 ns");
  EXPECT_EQ(format_duration(1000), "1.00 µs");
  EXPECT_EQ(format_duration(45500), "45.5 µs");
  EXPECT_EQ(format_duration(999499), "999 µs");
  EXPECT_EQ(format_duration(999500), "1.00 ms") << "never 1000 µs";
  EXPECT_EQ(format_duration(250000000), "250 ms");
  EXPECT_EQ(format_duration(1250000000), "1.25 s");
  EXPECT_EQ(format_duration(3600000000000ULL), "3600 s");
  EXPECT_EQ(format_duration(UINT64_MAX), "18446744074 s");

  // Without an end, or ending before it started, a span's duration is unknown.
  EXPECT_NE(printed(build_trace_trees({make_span(1, 0, "open", 5, 0)})[0]).find("└─ open  ?\n"),
            std::string::npos);
  EXPECT_NE(printed(build_trace_trees({make_span(1, 0, "odd", 5, 4)})[0]).find("└─ odd  ?\n"),
            std::string::npos);
}

TEST(TraceTreeTest, ControlCharactersInNamesAndValuesAreShownEscaped) {
  SpanRecord span = make_span(1, 0, "a\nb\x1b[31m\xC2\x9B", 1, 2);
  span.attributes.emplace_back("k\t", "v\x7f");
  ViewOptions options;
  options.show_attributes = true;
  const std::string text = printed(build_trace_trees({span})[0], options);
  EXPECT_EQ(counts_in_header(text), "1 span, 1 process");
  EXPECT_EQ(without_header(text),
            "└─ a\\nb\\u001b[31m\\u009b  1 ns\n"
            "      k\\t = v\\u007f\n");
}

TEST(TraceTreeTest, ColorsOnlyWhenAsked) {
  SpanRecord failed = make_span(1, 0, "failed", 1, 2);
  failed.status_code = kStatusError;
  const TraceTree tree = build_trace_trees({failed})[0];
  EXPECT_EQ(printed(tree).find('\x1b'), std::string::npos);
  ViewOptions options;
  options.color = true;
  EXPECT_NE(printed(tree, options).find("\x1b[31mfailed\x1b[0m"), std::string::npos);
}

TEST(ViewTest, ExitStatusSaysWhetherEverythingWasRead) {
  std::ostringstream out;
  std::ostringstream err;
  const std::string malformed = kFixtures + "/malformed.jsonl";
  EXPECT_EQ(view_files({malformed}, {}, out, err), 1);
  EXPECT_EQ(out.str(),
            "trace 0af7651916cd43dd8448eb211c80319c  (2 spans, 1 process)\n"
            "└─ kept  1.00 µs\n"
            "   └─ also kept  400 ns\n");
  EXPECT_NE(err.str().find(malformed + ":2: not valid JSON"), std::string::npos) << err.str();
  EXPECT_NE(err.str().find(malformed + ":9: "), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("5 lines skipped as malformed\n"), std::string::npos) << err.str();

  std::ostringstream out2;
  std::ostringstream err2;
  EXPECT_EQ(view_files({"/nonexistent.jsonl", kFixtures + "/collector_file_exporter.jsonl"}, {},
                       out2, err2),
            2);
  EXPECT_EQ(out2.str(), kCollectorFixtureView) << "the files that can be read are still shown";
  EXPECT_EQ(err2.str(), "/nonexistent.jsonl: cannot open: No such file or directory\n");
}

TEST(ViewTest, SaysSoWhenThereAreNoSpans) {
  const std::string path = ::testing::TempDir() + "/weft_view_empty.jsonl";
  std::FILE* file = std::fopen(path.c_str(), "w");
  ASSERT_NE(file, nullptr);
  std::fputs("{\"resourceSpans\":[]}\n\n", file);
  std::fclose(file);
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(view_files({path}, {}, out, err), 0);
  EXPECT_EQ(out.str(), "no spans\n");
  std::remove(path.c_str());
}

TEST(ViewTest, LoadTracesGivesTheTreesToOtherCommands) {
  const LoadedTraces loaded =
      load_traces({kFixtures + "/collector_file_exporter.jsonl", kFixtures + "/malformed.jsonl"});
  EXPECT_EQ(loaded.traces.size(), 2u) << "the two files share trace 0af76519...";
  EXPECT_EQ(loaded.malformed_lines, 5u);
  EXPECT_EQ(loaded.problems.size(), 5u);
  EXPECT_FALSE(loaded.unreadable);
}

struct CommandResult {
  int status = -1;
  std::string output;
};

// Runs the built `weft` with a shell command line's arguments; `output` is what the command
// writes to its standard output (add 2>&1 to the arguments to include the errors).
CommandResult run_weft(const std::string& arguments) {
  CommandResult result;
  FILE* pipe = popen((std::string(WEFT_CLI_PATH) + " " + arguments).c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  std::size_t read = 0;
  while ((read = std::fread(buffer, 1, sizeof buffer, pipe)) > 0)
    result.output.append(buffer, read);
  const int status = pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

TEST(ViewCommandTest, PrintsTreesAndExitsWithTheRightStatus) {
  const std::string fixture = "'" + kFixtures + "/collector_file_exporter.jsonl'";
  CommandResult result = run_weft("view " + fixture + " 2>&1");
  EXPECT_EQ(result.status, 0);
  EXPECT_EQ(result.output, kCollectorFixtureView);

  result = run_weft("view --color " + fixture);
  EXPECT_EQ(result.status, 0);
  EXPECT_EQ(result.output, kCollectorFixtureView) << "no colors into a pipe";

  result = run_weft("view -a " + fixture);
  EXPECT_NE(result.output.find("│  │        status ERROR: card declined\n"), std::string::npos);

  result = run_weft("view '" + kFixtures + "/malformed.jsonl' 2>&1");
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.output.find("└─ kept  1.00 µs\n"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("malformed.jsonl:4: resourceSpans[0].scopeSpans[0].spans[0]."
                               "traceId: expected 32 hex digits, got \"short\"\n"),
            std::string::npos)
      << result.output;

  result = run_weft("view /nonexistent/file.jsonl 2>&1");
  EXPECT_EQ(result.status, 2);
  EXPECT_NE(result.output.find("/nonexistent/file.jsonl: cannot open"), std::string::npos);

  result = run_weft("view 2>&1");
  EXPECT_NE(result.status, 0) << "FILE is required";
}

TEST(ViewCommandTest, ReadsBackWhatTheDemoWrites) {
  WEFT_SKIP_WHEN_FORKED_CHILDREN_START_THREADS();  // the demo's process-pool workers start threads
  const std::string path = ::testing::TempDir() + "/weft_demo_view_test.jsonl";
  const CommandResult demo = run_weft("demo -o '" + path + "' 2>&1");
  ASSERT_EQ(demo.status, 0) << demo.output;
  EXPECT_NE(demo.output.find("7 spans on 4 threads in 1 process(es), connected"),
            std::string::npos)
      << demo.output;
  EXPECT_EQ(demo.output.find("BROKEN"), std::string::npos) << demo.output;
  const LoadedTraces loaded = load_traces({path});
  EXPECT_TRUE(loaded.problems.empty());
  // Thirteen scenario traces, and the one the deliberately forgotten thread started on its own.
  ASSERT_EQ(loaded.traces.size(), 14u);
  std::size_t explicit_hand_offs = 0;
  std::size_t multi_process_traces = 0;
  for (const TraceTree& tree : loaded.traces) {
    ASSERT_EQ(tree.roots.size(), 1u) << "one root, every parent present";
    EXPECT_EQ(tree.roots[0].reason, RootReason::kRoot);
    if (tree.process_count > 1) ++multi_process_traces;
    if (tree.spans.size() == 7u && tree.thread_count == 4u) ++explicit_hand_offs;
  }
  EXPECT_EQ(explicit_hand_offs, 1u);
  EXPECT_EQ(multi_process_traces, 5u) << "the process scenarios span several processes";
  std::remove(path.c_str());
}

}  // namespace
}  // namespace weft::cli
