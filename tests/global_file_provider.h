// Test support: makes the global provider one that writes OTLP/JSON lines to a fresh temporary
// file, for tests of what crosses process boundaries (children relay to the global provider).
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "exported_traces.h"
#include "test_provider.h"
#include "weft/weft.h"

namespace weft::testing {

class GlobalFileProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "weft-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".jsonl";
    std::filesystem::remove(path_);
    Options options;
    options.service_name = "parent";
    options.processors.push_back(make_batch_processor(make_file_exporter(path_)));
    provider_ = std::make_shared<TracerProvider>(
        finalize_config(std::move(options), fake_environment({})));
    set_global_provider(provider_);
    reset_diagnostics();
  }
  void TearDown() override { std::filesystem::remove(path_); }

  std::vector<cli::SpanRecord> flushed_spans() {
    EXPECT_TRUE(provider_->force_flush());
    return read_exported_spans(path_);
  }

  std::string path_;
  std::shared_ptr<TracerProvider> provider_;
};

}  // namespace weft::testing
