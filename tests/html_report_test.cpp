// weft html: the data the page gets, that the page is self-contained and safe with hostile names,
// and the page itself in headless Chromium: lanes, bars, the highlighted broken link and
// lost-context root, a span's details, and 100,000 spans drawn without drawing them all.
#include "html_report.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "run_command.h"

namespace weft::cli {
namespace {

using weft::testing::run_command;

const std::string kReportFixture = std::string(WEFT_TEST_FIXTURES) + "/check/report.jsonl";
const std::string kArtifacts = WEFT_TEST_ARTIFACTS;

std::string read_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

std::size_t count_matches(const std::string& text, const std::string& pattern) {
  const std::regex expression(pattern);
  return static_cast<std::size_t>(
      std::distance(std::sregex_iterator(text.begin(), text.end(), expression), std::sregex_iterator()));
}

// Loads `page` (a file URL, with a fragment if wanted) in headless Chromium, as root in a
// container needs it, and returns the DOM after the page's scripts ran. With `screenshot`, also
// saves what the page looks like.
std::string chromium_dom(const std::string& url, const std::string& screenshot = "") {
  const std::string profile = ::testing::TempDir() + "/weft_chromium_profile_" + std::to_string(getpid());
  std::filesystem::remove_all(profile);
  const std::string flags =
      "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
      "--disable-background-networking --disable-component-update --disable-sync "
      "--window-size=1400,900 --user-data-dir='" + profile + "' ";
  if (!screenshot.empty()) {
    run_command("timeout 120 chromium " + flags + "--screenshot='" + screenshot + "' '" + url +
                "' 2>/dev/null");
  }
  const auto result = run_command("timeout 120 chromium " + flags + "--dump-dom '" + url +
                                  "' 2>/dev/null");
  std::filesystem::remove_all(profile);
  return result.output;
}

std::string write_report(const std::vector<std::string>& inputs, const std::string& name) {
  std::filesystem::create_directories(kArtifacts);
  const std::string output = kArtifacts + "/" + name;
  std::ostringstream err;
  EXPECT_EQ(write_html_report(inputs, output, err), 0) << err.str();
  return output;
}

TEST(HtmlReportTest, TheDataHasTracesLanesAndFlaggedSpans) {
  const LoadedTraces loaded = load_traces({kReportFixture});
  TraceChecker checker;
  for (const TraceTree& tree : loaded.traces) {
    for (const SpanRecord& span : tree.spans) checker.add(span);
  }
  const nlohmann::json data = html_report_data(loaded, checker.finish(), {kReportFixture});
  ASSERT_EQ(data["traces"].size(), 3u);
  EXPECT_EQ(data["traces"][0]["name"], "handle-request");
  EXPECT_EQ(data["traces"][0]["broken"], false);
  EXPECT_EQ(data["traces"][0]["threads"], 4);
  EXPECT_EQ(data["traces"][1]["broken"], true);
  EXPECT_EQ(data["traces"][2]["issues"], "1 broken link");
  EXPECT_EQ(data["lanes"].size(), 6u) << "main, worker-1, worker-2, 300's main, mailer, uploader";
  const auto& details = data["details"];
  const auto& flags = data["spans"]["flags"];
  for (std::size_t i = 0; i < details.size(); ++i) {
    const std::string id = details[i]["id"];
    const int flag = flags[i];
    EXPECT_EQ((flag & 1) != 0, id == "c000000000000003") << id << " broken link";
    EXPECT_EQ((flag & 2) != 0, id == "b000000000000001") << id << " lost context";
    EXPECT_EQ((flag & 8) != 0, id == "a000000000000004") << id << " error status";
  }
  EXPECT_EQ(data["summary"]["verdict"], "2 of 3 traces broken (1 broken link, 1 lost-context root)");
}

TEST(HtmlReportTest, SpansOnAParentCycleMakeTheTraceBrokenAndAreFlagged) {
  const std::string input = std::string(WEFT_TEST_FIXTURES) + "/check/parent_cycle.jsonl";
  const LoadedTraces loaded = load_traces({input});
  TraceChecker checker;
  for (const TraceTree& tree : loaded.traces) {
    for (const SpanRecord& span : tree.spans) checker.add(span);
  }
  const nlohmann::json data = html_report_data(loaded, checker.finish(), {input});
  ASSERT_EQ(data["traces"].size(), 1u);
  EXPECT_EQ(data["traces"][0]["broken"], true);
  EXPECT_EQ(data["traces"][0]["issues"], "3 spans in a parent cycle");
  EXPECT_EQ(data["summary"]["broken"], true);
  const auto& details = data["details"];
  const auto& flags = data["spans"]["flags"];
  for (std::size_t i = 0; i < details.size(); ++i) {
    const std::string id = details[i]["id"];
    const bool on_loop = id == "a000000000000002" || id == "a000000000000003" || id == "a000000000000004";
    EXPECT_EQ((flags[i].get<int>() & 32) != 0, on_loop) << id << " on a parent cycle";
    EXPECT_EQ(flags[i].get<int>() & 1, 0) << id << " no parent is missing";
  }
}

TEST(HtmlReportTest, ThePageIsSelfContainedAndNamesCannotBreakOutOfTheData) {
  const std::string input = ::testing::TempDir() + "/weft_html_hostile.jsonl";
  std::ofstream(input) << R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":)"
                       << R"("0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331",)"
                       << R"("name":"</script><script>alert(1)</script><!--","startTimeUnixNano":"1",)"
                       << R"("endTimeUnixNano":"2"}]}]}]})" << '\n';
  const std::string page = read_file(write_report({input}, "hostile.html"));
  EXPECT_EQ(count_matches(page, "</script>"), 2u) << "only the page's own two script blocks end";
  EXPECT_EQ(page.find("<script>alert"), std::string::npos);
  EXPECT_EQ(page.find("http://"), std::string::npos) << "nothing to fetch";
  EXPECT_EQ(page.find("https://"), std::string::npos);
  EXPECT_EQ(count_matches(page, "\\bsrc="), 0u);
  std::remove(input.c_str());
}

TEST(HtmlReportTest, ChromiumDrawsLanesBarsAndTheHighlightedBrokenLink) {
  const std::string report = write_report({kReportFixture}, "report.html");
  const std::string screenshot = kArtifacts + "/report-broken-link.png";
  std::filesystem::remove(screenshot);
  const std::string dom = chromium_dom("file://" + report + "#span=c000000000000003", screenshot);
  ASSERT_NE(dom.find("data-ready=\"true\""), std::string::npos) << "the page's script ran";
  EXPECT_EQ(count_matches(dom, "class=\"trace-row broken"), 2u);
  EXPECT_EQ(count_matches(dom, "class=\"trace-row ok"), 1u);
  EXPECT_EQ(count_matches(dom, "class=\"lane-label\""), 2u) << "nightly-report: main and uploader";
  EXPECT_EQ(count_matches(dom, "class=\"bar[ \"]"), 3u);
  EXPECT_EQ(count_matches(dom, "class=\"bar broken selected\"[^>]*data-span-id=\"c000000000000003\""), 1u)
      << "the orphan is drawn as a broken link, and selected";
  EXPECT_EQ(count_matches(dom, "class=\"missing-parent\""), 1u);
  EXPECT_NE(dom.find("broken-link: its parent c0000000000000ff never arrived"), std::string::npos)
      << "the details of the span named in the address";
  EXPECT_NE(dom.find("<dt>thread.name</dt><dd>uploader</dd>"), std::string::npos);
  EXPECT_GT(std::filesystem::file_size(screenshot), 10000u) << "kept as a test artefact";
}

TEST(HtmlReportTest, ChromiumShowsHandOffsAcrossLanesAndALostContextRoot) {
  const std::string report = write_report({kReportFixture}, "report.html");
  std::string dom = chromium_dom("file://" + report + "#span=a000000000000004",
                                 kArtifacts + "/report-connected.png");
  EXPECT_EQ(count_matches(dom, "class=\"lane-label\""), 4u) << "main, worker-1, worker-2, pid 300";
  EXPECT_EQ(count_matches(dom, "class=\"bar[ \"]"), 6u);
  EXPECT_GE(count_matches(dom, "class=\"hand-off\""), 3u) << "to both workers and the child";
  EXPECT_NE(dom.find("ERROR: card declined"), std::string::npos);
  EXPECT_NE(dom.find("<dt>card.last4</dt><dd>4242</dd>"), std::string::npos);

  dom = chromium_dom("file://" + report);  // no span named: the first broken trace is shown
  EXPECT_EQ(count_matches(dom, "class=\"bar lost\"[^>]*data-span-id=\"b000000000000001\""), 1u);
}

// Sanitizer builds check memory and threads, not scale: there the file is smaller so that the
// test stays within its time limit (the scale is tested in the normal build).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr const char* kLargeSpanCount = "20000";
#else
constexpr const char* kLargeSpanCount = "100000";
#endif

TEST(HtmlReportTest, ChromiumDrawsOnlyWhatIsVisibleOf100000Spans) {
  const std::string input = ::testing::TempDir() + "/weft_html_100k.jsonl";
  ASSERT_EQ(run_command(std::string(WEFT_GENERATE_TRACES_PROGRAM) + " '" + input + "' " +
                        kLargeSpanCount + " " + kLargeSpanCount + " 8").status,
            0);
  const std::string report = write_report({input}, "report-100k.html");
  const std::string dom = chromium_dom("file://" + report);
  ASSERT_NE(dom.find("data-ready=\"true\""), std::string::npos) << "the page loaded";
  const std::size_t bars = count_matches(dom, "class=\"bar[ \"]");
  EXPECT_GT(bars, 100u);
  EXPECT_LT(bars, 20000u) << "bars narrower than a pixel on a drawn pixel are skipped";
  EXPECT_EQ(count_matches(dom, "class=\"lane-label\""), 9u) << "main and 8 workers";
  std::smatch render;
  ASSERT_TRUE(std::regex_search(dom, render, std::regex("data-render-ms=\"([0-9.]+)\"")));
  std::cout << kLargeSpanCount << " spans: first render " << render[1] << " ms, " << bars << " bars drawn\n";
  std::remove(input.c_str());
}

TEST(HtmlCommandTest, WritesTheReportAndSaysWhere) {
  const std::string output = ::testing::TempDir() + "/weft_html_command.html";
  auto result = weft::testing::run_weft("html '" + kReportFixture + "' -o '" + output + "'");
  EXPECT_EQ(result.status, 0);
  EXPECT_EQ(result.output, "Report written to " + output + "\n");
  EXPECT_NE(read_file(output).find("\"nightly-report\""), std::string::npos);
  result = weft::testing::run_weft("html /nonexistent.jsonl -o '" + output + "' 2>&1");
  EXPECT_EQ(result.status, 2);
  std::remove(output.c_str());
}

}  // namespace
}  // namespace weft::cli
