// Faults in the application's own process: the trace file's disk fills up, the parent a child
// relays to dies, the program leaves while threads are still ending spans. Each test reads the
// exported spans back and shows what was kept and what was counted as dropped; none may crash,
// hang, or leave a torn line.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "exported_traces.h"
#include "sanitizer_support.h"
#include "test_provider.h"
#include "weft/weft.h"

namespace weft {
namespace {

using namespace std::chrono_literals;

std::string test_name() { return ::testing::UnitTest::GetInstance()->current_test_info()->name(); }

std::shared_ptr<TracerProvider> file_provider(const std::string& path, bool batch = false) {
  Options options;
  options.service_name = "faults";
  auto exporter = make_file_exporter(path);
  EXPECT_NE(exporter, nullptr);
  options.processors.push_back(batch ? make_batch_processor(std::move(exporter))
                                     : make_simple_processor(std::move(exporter)));
  return std::make_shared<TracerProvider>(
      finalize_config(std::move(options), testing::fake_environment({})));
}

std::multiset<std::string> names_of(const std::vector<cli::SpanRecord>& spans) {
  std::multiset<std::string> names;
  for (const auto& span : spans) names.insert(span.name);
  return names;
}

// The descriptor this process has open on `path`.
int descriptor_of(const std::string& path) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code error;
    if (std::filesystem::read_symlink(entry.path(), error) == path) {
      return std::stoi(entry.path().filename().string());
    }
  }
  return -1;
}

TEST(FaultsTest, AFullDiskIsACountedFailureAndExportResumesWhenSpaceReturns) {
  const std::string path = ::testing::TempDir() + "weft-faults-" + std::to_string(getpid()) + "-" +
                           test_name() + ".jsonl";
  std::filesystem::remove(path);
  auto provider = file_provider(path);
  Tracer tracer = provider->tracer("disk");
  const Diagnostics before = diagnostics();
  for (int i = 0; i < 3; ++i) tracer.start_span("before-" + std::to_string(i)).end();

  // The disk fills up: the exporter's descriptor now writes to /dev/full (ENOSPC on every write).
  const int fd = descriptor_of(path);
  ASSERT_GE(fd, 0);
  const int saved = dup(fd);
  const int full = open("/dev/full", O_WRONLY);
  ASSERT_GE(full, 0);
  ASSERT_EQ(dup2(full, fd), fd);
  for (int i = 0; i < 3; ++i) tracer.start_span("while-full-" + std::to_string(i)).end();

  // Space returns: the same descriptor reaches the file again.
  ASSERT_EQ(dup2(saved, fd), fd);
  close(saved);
  close(full);
  for (int i = 0; i < 3; ++i) tracer.start_span("after-" + std::to_string(i)).end();
  ASSERT_TRUE(provider->force_flush());

  const Diagnostics after = diagnostics();
  EXPECT_EQ(after.spans_export_failed - before.spans_export_failed, 3u);
  EXPECT_EQ(after.spans_exported - before.spans_exported, 6u);
  EXPECT_EQ(names_of(testing::read_exported_spans(path)),
            (std::multiset<std::string>{"before-0", "before-1", "before-2", "after-0", "after-1",
                                        "after-2"}));
  std::filesystem::remove(path);
}

// A real small file system filling up mid-line (the write is partial, not refused whole).
class TinyTmpfs {
 public:
  TinyTmpfs() {
    directory_ = ::testing::TempDir() + "weft-tmpfs-" + std::to_string(getpid());
    std::filesystem::create_directories(directory_);
    mounted_ = mount("tmpfs", directory_.c_str(), "tmpfs", 0, "size=64k") == 0;
  }
  ~TinyTmpfs() {
    if (mounted_) umount2(directory_.c_str(), MNT_DETACH);
    std::filesystem::remove_all(directory_);
  }
  bool mounted() const { return mounted_; }
  std::string path(const std::string& name) const { return directory_ + "/" + name; }

 private:
  std::string directory_;
  bool mounted_ = false;
};

TEST(FaultsTest, ATmpfsFillingUpMidLineLeavesNoTornLineAndExportResumes) {
  TinyTmpfs tmpfs;
  if (!tmpfs.mounted()) GTEST_SKIP() << "mounting a tmpfs needs root (CAP_SYS_ADMIN)";
  // Room taken by something else, given back later.
  {
    std::ofstream filler(tmpfs.path("filler"));
    filler << std::string(32 * 1024, 'x');
    ASSERT_TRUE(filler.good());
  }
  const std::string path = tmpfs.path("traces.jsonl");
  auto provider = file_provider(path);
  Tracer tracer = provider->tracer("tmpfs");
  const Diagnostics before = diagnostics();

  // Spans of about 1.5 KB each until writes fail, then a few more while the disk is full.
  const std::string payload(1500, 'p');
  int ended = 0;
  int failed_from = -1;
  for (; ended < 200 && (failed_from < 0 || ended < failed_from + 3); ++ended) {
    tracer.start_span("span-" + std::to_string(ended)).set_attribute("payload", payload).end();
    if (failed_from < 0 && diagnostics().spans_export_failed > before.spans_export_failed) {
      failed_from = ended;
    }
  }
  ASSERT_GE(failed_from, 0) << "the tmpfs never filled up";

  std::filesystem::remove(tmpfs.path("filler"));  // space returns
  for (int i = 0; i < 3; ++i) tracer.start_span("after-" + std::to_string(i)).end();
  ASSERT_TRUE(provider->force_flush());

  const Diagnostics after = diagnostics();
  const auto failed = after.spans_export_failed - before.spans_export_failed;
  const auto exported = after.spans_exported - before.spans_exported;
  EXPECT_GE(failed, 3u);
  EXPECT_EQ(exported + failed, static_cast<std::uint64_t>(ended + 3));
  // Every line is whole (read_exported_spans fails the test on a malformed one), and exactly the
  // spans counted as exported are there: the ones before the disk filled, and the ones after.
  const auto spans = testing::read_exported_spans(path);
  EXPECT_EQ(spans.size(), exported);
  const auto names = names_of(spans);
  for (int i = 0; i < failed_from; ++i) EXPECT_EQ(names.count("span-" + std::to_string(i)), 1u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(names.count("after-" + std::to_string(i)), 1u);
}

// Reads one line from `fd`, waiting at most `timeout`; "" on timeout or end of file.
std::string read_line(int fd, std::chrono::milliseconds timeout) {
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd ready{fd, POLLIN, 0};
    if (poll(&ready, 1, 50) <= 0) continue;
    char c;
    if (read(fd, &c, 1) != 1) return line;
    if (c == '\n') return line;
    line += c;
  }
  return line;
}

// Waits for `pid` at most `timeout`; its wait status, or -1 if it is still running (then killed).
int wait_bounded(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid, &status, WNOHANG) == pid) return status;
    std::this_thread::sleep_for(10ms);
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return -1;
}

TEST(FaultsTest, AChildWhoseParentDiedNeitherBlocksNorDiesOfSigpipeAndCountsWhatItDropped) {
  WEFT_SKIP_WHEN_FORKED_CHILDREN_START_THREADS();
  const std::string path = ::testing::TempDir() + "weft-faults-" + std::to_string(getpid()) + "-" +
                           test_name() + ".jsonl";
  std::filesystem::remove(path);
  int report[2];
  int go[2];
  ASSERT_EQ(pipe(report), 0);
  ASSERT_EQ(pipe(go), 0);
  // The relaying child outlives its parent: this process adopts it, to see how it ends.
  ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);

  const pid_t parent = fork();
  if (parent == 0) {
    // The parent: exports what its child relays, synchronously, until it is killed.
    set_global_provider(file_provider(path));
    ChildProcess child = fork_process();
    if (!child.in_child()) {
      for (;;) pause();
    }
    // The child.
    Tracer tracer = get_tracer("orphan");
    for (int i = 0; i < 3; ++i) tracer.start_span("before-" + std::to_string(i)).end();
    dprintf(report[1], "%d\n", static_cast<int>(getpid()));
    char byte;
    if (read(go[0], &byte, 1) != 1) _exit(3);  // the test says the parent is gone
    const Diagnostics before = diagnostics();
    for (int i = 0; i < 5; ++i) tracer.start_span("after-" + std::to_string(i)).end();
    const Diagnostics after = diagnostics();
    dprintf(report[1], "dropped %llu relayed %llu\n",
            static_cast<unsigned long long>(after.spans_dropped_relay - before.spans_dropped_relay),
            static_cast<unsigned long long>(after.spans_relayed - before.spans_relayed));
    _exit(0);
  }
  close(report[1]);
  close(go[0]);
  const pid_t child = std::atoi(read_line(report[0], 10s).c_str());
  ASSERT_GT(child, 0);

  // Once the parent has exported what the child relayed so far, it dies.
  for (auto deadline = std::chrono::steady_clock::now() + 10s;
       std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(10ms)) {
    cli::TraceFileContents contents = cli::read_trace_files({path});
    if (contents.spans.size() >= 3) break;
  }
  kill(parent, SIGKILL);
  waitpid(parent, nullptr, 0);
  ASSERT_EQ(write(go[1], "x", 1), 1);

  const std::string outcome = read_line(report[0], 10s);
  const int status = wait_bounded(child, 10s);
  prctl(PR_SET_CHILD_SUBREAPER, 0);
  close(report[0]);
  close(go[1]);
  ASSERT_NE(status, -1) << "the orphaned child hung";
  EXPECT_FALSE(WIFSIGNALED(status)) << "killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(outcome, "dropped 5 relayed 0");

  // Kept: what the parent received before it died. Dropped (and counted above): the rest.
  EXPECT_EQ(names_of(testing::read_exported_spans(path)),
            (std::multiset<std::string>{"before-0", "before-1", "before-2"}));
  std::filesystem::remove(path);
}

// Runs the exit-race program, which leaves `how` ("return" or "exit") while its workers are
// still ending spans; returns the spans it printed as ended before leaving, per worker name.
std::map<std::string, long> run_exit_race(const std::string& how, const std::string& path,
                                          int& exit_status) {
  const std::string output = path + ".out";
  const std::string command = "OTEL_TRACES_EXPORTER=file WEFT_TRACES_FILE=" + path +
                              " OTEL_BSP_MAX_QUEUE_SIZE=1000000 " WEFT_EXIT_RACE_PROGRAM " " + how +
                              " > " + output;
  exit_status = std::system(command.c_str());
  std::map<std::string, long> ended;
  std::ifstream printed(output);
  std::string word;
  int worker;
  long count;
  while (printed >> word >> worker >> count) ended["worker-" + std::to_string(worker)] = count;
  std::filesystem::remove(output);
  return ended;
}

void expect_every_span_ended_before_exit_is_exported(const std::string& how) {
  const std::string path = ::testing::TempDir() + "weft-faults-" + std::to_string(getpid()) + "-" +
                           test_name() + ".jsonl";
  for (int run = 0; run < 5; ++run) {
    std::filesystem::remove(path);
    int status = 0;
    const auto ended = run_exit_race(how, path, status);
    ASSERT_TRUE(WIFEXITED(status)) << how << ": the program crashed (status " << status << ")";
    ASSERT_EQ(WEXITSTATUS(status), 0);
    ASSERT_EQ(ended.size(), 4u);

    // Kept: every span whose end() returned before the program left, each exactly once.
    // The spans ended during the exit itself may be exported or counted as dropped.
    std::map<std::string, std::set<long>> indexes;
    for (const auto& span : testing::read_exported_spans(path)) {
      const long index = std::stol(span.attribute("index"));
      EXPECT_TRUE(indexes[span.name].insert(index).second) << span.name << " " << index << " twice";
    }
    for (const auto& [worker, count] : ended) {
      for (long index = 0; index < count; ++index) {
        ASSERT_EQ(indexes[worker].count(index), 1u)
            << how << " run " << run << ": " << worker << " span " << index << " of " << count
            << " was lost";
      }
    }
  }
  std::filesystem::remove(path);
}

TEST(FaultsTest, ReturningFromMainWhileThreadsEndSpansExportsEverySpanEndedBefore) {
  expect_every_span_ended_before_exit_is_exported("return");
}

TEST(FaultsTest, StdExitWhileThreadsEndSpansExportsEverySpanEndedBefore) {
  expect_every_span_ended_before_exit_is_exported("exit");
}

}  // namespace
}  // namespace weft
