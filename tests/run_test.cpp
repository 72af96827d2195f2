// weft run end to end, with the real program and real child processes: exit codes, signals
// (the child's and forwarded ones), the environment the child sees, argument substitution, and
// the span it records (or does not, with no exporter configured).
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "run_command.h"
#include "trace_file.h"

extern char** environ;

namespace weft::cli {
namespace {

using weft::testing::run_command;

const std::string kWeft = WEFT_CLI_PATH;
const std::string kInheritedParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

class RunCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    directory_ = ::testing::TempDir() + "/weft_run_" + test->name() + "_" + std::to_string(getpid());
    std::filesystem::remove_all(directory_);
    std::filesystem::create_directories(directory_);
    traces_ = directory_ + "/traces.jsonl";
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  // `env -i` keeps the test's own OTEL_* variables out; PATH is needed to find sh.
  std::string weft_with(const std::string& variables) const {
    return "env -i PATH=/usr/bin:/bin " + variables + " '" + kWeft + "' ";
  }
  // weft configured to record into traces_, with `variables` set too.
  std::string recording(const std::string& variables = "") const {
    return weft_with("OTEL_TRACES_EXPORTER=file WEFT_TRACES_FILE='" + traces_ + "' " + variables);
  }
  std::vector<SpanRecord> recorded_spans() const { return read_trace_files({traces_}).spans; }

  std::string directory_;
  std::string traces_;
};

TEST_F(RunCommandTest, ExitsWithTheCommandsExitCodeAndRecordsIt) {
  auto result = run_command(recording() + "run -n build -a target=all -a jobs=2 -- sh -c 'exit 7'");
  EXPECT_EQ(result.status, 7);
  const auto spans = recorded_spans();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].name, "build");
  EXPECT_EQ(spans[0].attribute("process.exit.code"), "7");
  EXPECT_EQ(spans[0].attribute("target"), "all");
  EXPECT_EQ(spans[0].attribute("jobs"), "2");
  EXPECT_EQ(spans[0].attribute("process.command"), "sh");
  EXPECT_EQ(spans[0].status_code, kStatusError);
  EXPECT_TRUE(spans[0].parent_span_id.empty()) << "no inherited context: a new trace";

  result = run_command(recording() + "run -- true");
  EXPECT_EQ(result.status, 0);
  ASSERT_EQ(recorded_spans().size(), 2u);
  EXPECT_EQ(recorded_spans()[1].name, "true") << "named after the command by default";
  EXPECT_EQ(recorded_spans()[1].status_code, kStatusUnset);
}

TEST_F(RunCommandTest, AWeftCommandRelaysItsSpansAlsoWhenKilledMidSpan) {
  auto result = run_command(recording() + "run -n parent -- '" + WEFT_TRACED_CHILD + "' spans");
  EXPECT_EQ(result.status, 0) << result.output;
  auto spans = recorded_spans();
  ASSERT_EQ(spans.size(), 3u) << "the command's two spans came back through weft run";
  std::map<std::string, const SpanRecord*> by_name;
  for (const SpanRecord& span : spans) by_name[span.name] = &span;
  ASSERT_TRUE(by_name.count("parent") && by_name.count("child-main") && by_name.count("child-step"));
  EXPECT_EQ(by_name["child-main"]->parent_span_id, by_name["parent"]->span_id);
  EXPECT_EQ(by_name["child-step"]->parent_span_id, by_name["child-main"]->span_id);

  result = run_command(recording() + "run -n killed -- '" + WEFT_TRACED_CHILD + "' sigkill");
  EXPECT_EQ(result.status, 128 + SIGKILL);
  spans = recorded_spans();
  const SpanRecord* doomed = nullptr;
  for (const SpanRecord& span : spans) {
    if (span.name == "doomed") doomed = &span;
  }
  ASSERT_NE(doomed, nullptr) << "the open span of the killed command is reported";
  EXPECT_EQ(doomed->attribute("weft.span.incomplete"), "true");
  EXPECT_EQ(doomed->attribute("weft.process.signal"), "SIGKILL");
}

TEST_F(RunCommandTest, ACommandKilledBySignalNExitsWith128PlusN) {
  const auto result = run_command(recording() + "run -- sh -c 'kill -KILL $$'");
  EXPECT_EQ(result.status, 128 + SIGKILL);
  const auto spans = recorded_spans();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].attribute("weft.process.signal"), "SIGKILL");
  EXPECT_EQ(spans[0].status_code, kStatusError);
  EXPECT_EQ(spans[0].status_message, "killed by SIGKILL");
}

// An executable script without "#!" runs in /bin/sh, as execvp() and shells run it (posix_spawnp
// alone fails with ENOEXEC), whether named by a path or found in PATH.
TEST_F(RunCommandTest, AScriptWithoutAShebangLineRunsInTheShell) {
  const std::string script = directory_ + "/no-shebang";
  {
    std::ofstream file(script);
    file << "echo \"ran with $# arguments: $1\"\nexit 5\n";
  }
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  auto result = run_command(recording() + "run -- '" + script + "' first second");
  EXPECT_EQ(result.status, 5);
  EXPECT_EQ(result.output, "ran with 2 arguments: first\n");
  result = run_command("env -i PATH='" + directory_ + ":/usr/bin:/bin' '" + kWeft +
                       "' run no-shebang found-in-path");
  EXPECT_EQ(result.status, 5);
  EXPECT_EQ(result.output, "ran with 1 arguments: found-in-path\n");
}

TEST_F(RunCommandTest, ACommandThatCannotBeFoundExitsWith127) {
  const auto result = run_command(recording() + "run -- /nonexistent/command 2>&1");
  EXPECT_EQ(result.status, 127);
  EXPECT_NE(result.output.find("weft run: cannot run /nonexistent/command"), std::string::npos);
  ASSERT_EQ(recorded_spans().size(), 1u);
  EXPECT_EQ(recorded_spans()[0].status_code, kStatusError);
}

TEST_F(RunCommandTest, TheChildSeesTheRunSpansContextInsteadOfTheInheritedOne) {
  const auto result = run_command(
      recording("TRACEPARENT=" + kInheritedParent + " TRACESTATE=vendor=1 BAGGAGE=user=alice") +
      "run -- sh -c "
      "'echo \"$TRACEPARENT|$TRACESTATE|$BAGGAGE|$1\"' sh 'arg={{traceparent}}'");
  ASSERT_EQ(result.status, 0) << result.output;
  const auto spans = recorded_spans();
  ASSERT_EQ(spans.size(), 1u);
  const SpanRecord& span = spans[0];
  EXPECT_EQ(span.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(span.parent_span_id, "00f067aa0ba902b7");
  const std::string expected = "00-" + span.trace_id + "-" + span.span_id + "-01";
  EXPECT_EQ(result.output, expected + "|vendor=1|user=alice|arg=" + expected + "\n");
}

TEST_F(RunCommandTest, WithoutAnExporterItRecordsNothingAndPassesTheContextOn) {
  const std::string no_exporter = "WEFT_TRACES_FILE='" + traces_ + "' ";
  auto result =
      run_command(weft_with(no_exporter) + "run -- sh -c 'echo \"[$TRACEPARENT]\"; exit 3'");
  EXPECT_EQ(result.status, 3);
  EXPECT_EQ(result.output, "[]\n");
  result = run_command(weft_with(no_exporter + "TRACEPARENT=" + kInheritedParent) +
                       "run -- sh -c 'echo \"[$TRACEPARENT] $0\"' '{{traceparent}}'");
  EXPECT_EQ(result.status, 0);
  EXPECT_EQ(result.output, "[" + kInheritedParent + "] " + kInheritedParent + "\n");
  EXPECT_FALSE(std::filesystem::exists(traces_)) << "nothing recorded, no file written";
}

// Starts weft run under `variables` (NAME=value...) with a command that writes `ready` once it has
// set its trap, then sends `signal_number` to weft itself. Returns weft's wait status.
int signal_weft_run(const std::vector<std::string>& variables, const std::string& ready,
                    int signal_number) {
  // The loop ends by itself after a few seconds, so a signal that is not forwarded fails the
  // test (exit status 0) instead of hanging it.
  const std::string script = "trap 'exit 42' INT TERM HUP QUIT; : > '" + ready +
                             "'; i=0; while [ $i -lt 300 ]; do sleep 0.02; i=$((i+1)); done";
  std::vector<std::string> arguments = {kWeft, "run", "--", "sh", "-c", script};
  std::vector<char*> argv;
  for (std::string& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);
  std::vector<std::string> environment = variables;
  environment.push_back("PATH=/usr/bin:/bin");
  std::vector<char*> envp;
  for (std::string& entry : environment) envp.push_back(entry.data());
  envp.push_back(nullptr);
  // weft passes on the dispositions it was started with; a test run in the background (as CI
  // may) has SIGINT and SIGQUIT ignored, which the command's trap could not then undo.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (const int forwarded : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaddset(&defaults, forwarded);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF);
  pid_t weft = 0;
  const int error =
      posix_spawn(&weft, kWeft.c_str(), nullptr, &attributes, argv.data(), envp.data());
  posix_spawnattr_destroy(&attributes);
  if (error != 0) return -1;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!std::filesystem::exists(ready) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  kill(weft, signal_number);
  int status = 0;
  waitpid(weft, &status, 0);
  return status;
}

// SIGHUP too: a closed terminal or ssh session sends it, and weft must not die of it, leaving the
// command orphaned and its span unrecorded.
TEST_F(RunCommandTest, TerminatingSignalsSentToWeftAreForwardedToTheCommand) {
  for (const int signal_number : {SIGTERM, SIGINT, SIGHUP, SIGQUIT}) {
    std::filesystem::remove(traces_);
    const std::string ready = directory_ + "/ready-" + std::to_string(signal_number);
    const int status = signal_weft_run(
        {"OTEL_TRACES_EXPORTER=file", "WEFT_TRACES_FILE=" + traces_}, ready, signal_number);
    ASSERT_TRUE(WIFEXITED(status)) << "weft itself survives to report the command's end";
    EXPECT_EQ(WEXITSTATUS(status), 42) << "the command's trap ran: signal " << signal_number;
    const auto spans = recorded_spans();
    ASSERT_EQ(spans.size(), 1u);
    EXPECT_EQ(spans[0].attribute("process.exit.code"), "42");
  }
}

// Under nohup (SIGHUP ignored) the command keeps SIGHUP ignored, as it would without weft in
// between: a hang-up must not kill what the user protected.
TEST_F(RunCommandTest, ASignalIgnoredWhenWeftStartedStaysIgnoredInTheCommand) {
  const auto result = run_command("nohup " + recording() +
                                  "run -- sh -c 'kill -HUP $$; echo survived' 2>/dev/null");
  EXPECT_EQ(result.status, 0);
  EXPECT_EQ(result.output, "survived\n");
}

TEST_F(RunCommandTest, BadOptionsAreReported) {
  auto result = run_command(recording() + "run -a novalue -- true 2>&1");
  EXPECT_EQ(result.status, 2);
  EXPECT_NE(result.output.find("--attribute expects KEY=VALUE"), std::string::npos);
  result = run_command(recording() + "run --kind sideways -- true 2>&1");
  EXPECT_EQ(result.status, 2);
  result = run_command(recording() + "run 2>&1");
  EXPECT_EQ(result.status, 2) << "COMMAND is required; a usage error exits 2";
  EXPECT_NE(result.output.find("COMMAND is required"), std::string::npos) << result.output;
  result = run_command(weft_with("") + "collect --port 99999 2>&1");
  EXPECT_EQ(result.status, 2);
  EXPECT_NE(result.output.find("not in range 0 to 65535"), std::string::npos) << result.output;
  result = run_command(weft_with("") + "--version");
  EXPECT_EQ(result.status, 0);
  EXPECT_EQ(result.output.rfind("weft ", 0), 0u) << result.output;
}

// Without "--", the command's own options stay the command's: "-n" and "-a" of echo and grep are
// not taken for weft run's --name and --attribute.
TEST_F(RunCommandTest, OptionsAfterTheCommandBelongToTheCommand) {
  auto result = run_command(recording() + "run echo -n hi");
  EXPECT_EQ(result.status, 0);
  EXPECT_EQ(result.output, "hi");
  auto spans = recorded_spans();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].name, "echo");
  std::filesystem::remove(traces_);
  result = run_command(recording() + "run -n search -a team=core grep -a -c x /dev/null");
  EXPECT_EQ(result.status, 1) << "grep found nothing: its own exit code, not a usage error";
  EXPECT_EQ(result.output, "0\n");
  spans = recorded_spans();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].name, "search");
  EXPECT_EQ(spans[0].attribute("team"), "core");
}

}  // namespace
}  // namespace weft::cli
