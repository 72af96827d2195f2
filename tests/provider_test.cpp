// The provider: the global provider built from the environment, flushing at normal process exit,
// force-flush and shutdown, and replacing the global provider safely.
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_provider.h"
#include "weft/provider.h"

namespace weft {
namespace {

std::map<std::string, int> span_names_in(const std::string& path) {
  std::map<std::string, int> names;
  std::ifstream file(path);
  std::string line;
  while (std::getline(file, line)) {
    auto request = nlohmann::json::parse(line);
    for (const auto& resource : request.at("resourceSpans")) {
      for (const auto& scope : resource.at("scopeSpans")) {
        for (const auto& span : scope.at("spans")) ++names[span.at("name").get<std::string>()];
      }
    }
  }
  return names;
}

int run(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(ProviderTest, GlobalProviderFromTheEnvironmentFlushesAtNormalExit) {
  const std::string path = ::testing::TempDir() + "/weft_exit_flush.jsonl";
  std::remove(path.c_str());
  // A long schedule delay: only the exit-time flush can write these spans.
  const std::string command = "OTEL_TRACES_EXPORTER=file WEFT_TRACES_FILE=" + path +
                              " OTEL_BSP_SCHEDULE_DELAY=600000 OTEL_SERVICE_NAME=exit-test " +
                              WEFT_EXIT_FLUSH_PROGRAM + " 300";
  ASSERT_EQ(run(command), 0);
  auto names = span_names_in(path);
  EXPECT_EQ(names["root"], 1);
  EXPECT_EQ(names["worker-span"], 300);
  EXPECT_EQ(names["main-span"], 300);
}

TEST(ProviderTest, DisabledByTheEnvironmentWritesNothing) {
  const std::string path = ::testing::TempDir() + "/weft_exit_disabled.jsonl";
  std::remove(path.c_str());
  const std::string command = "OTEL_SDK_DISABLED=true OTEL_TRACES_EXPORTER=file WEFT_TRACES_FILE=" +
                              path + " " + WEFT_EXIT_FLUSH_PROGRAM + " 5";
  ASSERT_EQ(run(command), 0);
  EXPECT_TRUE(span_names_in(path).empty());
}

TEST(ProviderTest, ForceFlushExportsWhatEndedSoFar) {
  auto spans = std::make_shared<InMemorySpans>();
  Options options;
  BatchOptions batch;
  batch.schedule_delay = std::chrono::hours(1);
  options.processors.push_back(make_batch_processor(make_memory_exporter(spans), batch));
  TracerProvider provider(finalize_config(std::move(options), testing::fake_environment({})));
  provider.tracer("t").start_span("first").end();
  EXPECT_TRUE(spans->spans().empty());
  EXPECT_TRUE(provider.force_flush(std::chrono::seconds(10)));
  ASSERT_EQ(spans->spans().size(), 1u);
  EXPECT_EQ(spans->spans()[0].name, "first");
}

TEST(ProviderTest, ReplacingTheGlobalProviderKeepsOpenSpansSafe) {
  testing::MemoryProvider first;
  testing::MemoryProvider second;
  set_global_provider(first.provider);
  Span open = get_tracer("global").start_span("started-under-first");
  set_global_provider(second.provider);  // shuts `first` down; its memory stays
  get_tracer("global").start_span("under-second").end();
  open.end();  // safe: dropped and counted, as its provider is shut down
  EXPECT_EQ(second.find("under-second").name, "under-second");
  EXPECT_TRUE(first.spans->spans().empty());
}

}  // namespace
}  // namespace weft
