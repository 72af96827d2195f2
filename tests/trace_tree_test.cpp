// weft view: reading OTLP/JSON lines files (the Collector's spelling too) and printing trees.
#include <sys/wait.h>

#include <cstdio>
#include <sstream>

#include <gtest/gtest.h>

#include "trace_tree.h"

namespace weft::cli {
namespace {

const std::string kFixtures = WEFT_TEST_FIXTURES;

TEST(TraceFileTest, ReadsCollectorFilesWithBothSpellingsAndNumberForms) {
  TraceFile file = read_trace_files({kFixtures + "/collector_file_exporter.jsonl"});
  EXPECT_TRUE(file.problems.empty());
  ASSERT_EQ(file.spans.size(), 3u);
  const ViewedSpan& root = file.spans[0];
  EXPECT_EQ(root.trace_id, "5b8efff798038103d269b633813fc60c") << "hex ids lowercased";
  EXPECT_TRUE(root.parent_span_id.empty());
  EXPECT_EQ(root.service_name, "frontend");
  EXPECT_EQ(root.process_id, "100");
  EXPECT_EQ(root.attribute("http.status"), "200");
  const ViewedSpan& charge = file.spans[1];
  EXPECT_EQ(charge.kind, 3) << "enum names accepted";
  EXPECT_EQ(charge.start_ns, 1544712660100000000ULL) << "JSON numbers accepted for int64";
  EXPECT_EQ(charge.status_code, 2);
  EXPECT_EQ(charge.status_message, "card declined");
  ASSERT_EQ(charge.events.size(), 1u);
  EXPECT_EQ(file.spans[2].name, "orphan") << "snake_case proto names accepted";
}

TEST(TraceFileTest, MalformedLinesAreReportedWithNumbersAndTheRestIsKept) {
  TraceFile file = read_trace_files({kFixtures + "/malformed.jsonl"});
  ASSERT_EQ(file.spans.size(), 1u);
  EXPECT_EQ(file.spans[0].name, "kept");
  ASSERT_EQ(file.problems.size(), 3u);
  EXPECT_NE(file.problems[0].find("malformed.jsonl:2:"), std::string::npos);
  EXPECT_NE(file.problems[1].find("malformed.jsonl:4:"), std::string::npos);
  EXPECT_NE(file.problems[2].find("malformed.jsonl:5:"), std::string::npos);
}

TEST(TraceTreeTest, PrintsNestingDurationsThreadsProcessesAndMissingParents) {
  std::ostringstream out;
  std::ostringstream err;
  ViewOptions options;
  options.show_attributes = true;
  EXPECT_EQ(view_files({kFixtures + "/collector_file_exporter.jsonl"}, options, out, err), 0);
  const std::string text = out.str();
  EXPECT_NE(text.find("trace 5b8efff798038103d269b633813fc60c  (2 spans, 2 threads, 2 processes)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("└─ GET /checkout  1.00 s  [main, pid 100]"), std::string::npos) << text;
  EXPECT_NE(text.find("   └─ charge  250.0 ms  [7, pid 200]"), std::string::npos) << text;
  EXPECT_NE(text.find("! status error: card declined"), std::string::npos) << text;
  EXPECT_NE(text.find("orphan  2.0 µs  [?]  (parent 00f067aa0ba902b7 missing)"), std::string::npos)
      << text;
}

TEST(TraceTreeTest, ParentCyclesPrintEachSpanOnce) {
  std::vector<ViewedSpan> spans(2);
  spans[0].trace_id = spans[1].trace_id = "0af7651916cd43dd8448eb211c80319c";
  spans[0].span_id = "aaaaaaaaaaaaaaaa";
  spans[0].parent_span_id = "bbbbbbbbbbbbbbbb";
  spans[1].span_id = "bbbbbbbbbbbbbbbb";
  spans[1].parent_span_id = "aaaaaaaaaaaaaaaa";
  spans[0].name = "a";
  spans[1].name = "b";
  auto trees = build_trace_trees(spans);
  ASSERT_EQ(trees.size(), 1u);
  std::ostringstream out;
  print_trace_tree(trees[0], {}, out);
  EXPECT_NE(out.str().find("a  (in a cycle of parent links)"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("b  (in a cycle of parent links)"), std::string::npos) << out.str();
}

TEST(TraceTreeTest, DurationsInAdaptiveUnits) {
  EXPECT_EQ(format_duration(999), "999 ns");
  EXPECT_EQ(format_duration(1500), "1.5 µs");
  EXPECT_EQ(format_duration(2500000), "2.5 ms");
  EXPECT_EQ(format_duration(3000000000ULL), "3.00 s");
}

int run_cli(const std::string& arguments, std::string& output) {
  FILE* pipe = popen((std::string(WEFT_CLI_PATH) + " " + arguments + " 2>&1").c_str(), "r");
  char buffer[4096];
  std::size_t read = 0;
  while ((read = fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, read);
  const int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(ViewCommandTest, ExitStatusAndOutputEndToEnd) {
  std::string output;
  EXPECT_EQ(run_cli("view " + kFixtures + "/collector_file_exporter.jsonl", output), 0);
  EXPECT_NE(output.find("GET /checkout"), std::string::npos);
  output.clear();
  EXPECT_EQ(run_cli("view " + kFixtures + "/malformed.jsonl", output), 1);
  EXPECT_NE(output.find("kept"), std::string::npos);
  EXPECT_NE(output.find("malformed.jsonl:2:"), std::string::npos);
  output.clear();
  EXPECT_EQ(run_cli("view /nonexistent/file.jsonl", output), 2);
  EXPECT_NE(output.find("cannot open"), std::string::npos);
}

TEST(ViewCommandTest, DemoPrintsTwoConnectedTracesAndWritesValidOtlpJson) {
  const std::string path = ::testing::TempDir() + "/weft_demo_test.jsonl";
  std::string output;
  ASSERT_EQ(run_cli("demo -o " + path, output), 0) << output;
  EXPECT_NE(output.find("explicit hand-off: trace"), std::string::npos);
  EXPECT_NE(output.find("7 spans on 4 threads, connected"), std::string::npos) << output;
  TraceFile file = read_trace_files({path});
  EXPECT_TRUE(file.problems.empty());
  EXPECT_EQ(file.spans.size(), 14u);
  EXPECT_EQ(build_trace_trees(file.spans).size(), 2u);
  for (const TraceTree& tree : build_trace_trees(file.spans)) {
    EXPECT_EQ(tree.roots.size(), 1u);
    EXPECT_TRUE(tree.orphans.empty());
  }
}

}  // namespace
}  // namespace weft::cli
