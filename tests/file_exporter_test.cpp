// The OTLP/JSON lines file exporter: each line is an ExportTraceServiceRequest in the OTLP JSON
// encoding, read back here with a real JSON parser and checked field by field.
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_provider.h"
#include "weft/exporter.h"

namespace weft {
namespace {

using nlohmann::json;

std::vector<json> read_lines(const std::string& path) {
  std::ifstream file(path);
  std::vector<json> lines;
  std::string line;
  while (std::getline(file, line)) lines.push_back(json::parse(line));
  return lines;
}

const json* attribute(const json& attributes, const std::string& key) {
  for (const json& entry : attributes) {
    if (entry.at("key") == key) return &entry.at("value");
  }
  return nullptr;
}

class FileExporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/weft_file_exporter_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".jsonl";
    std::remove(path_.c_str());
  }
  std::shared_ptr<TracerProvider> make_provider(Options options = {}) {
    std::string error;
    auto exporter = make_file_exporter(path_, &error);
    EXPECT_NE(exporter, nullptr) << error;
    options.processors.push_back(make_batch_processor(std::move(exporter)));
    options.service_name = "file-test";
    return std::make_shared<TracerProvider>(
        finalize_config(std::move(options), testing::fake_environment({})));
  }
  std::string path_;
};

TEST_F(FileExporterTest, WritesOtlpJsonFieldByField) {
  auto provider = make_provider();
  Tracer tracer = provider->tracer("file.test", "1.2.3");
  SpanContext parent;
  parent.trace_id = *TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736");
  parent.span_id = *SpanId::from_hex("00f067aa0ba902b7");
  parent.flags = TraceFlags(TraceFlags::kSampled);
  parent.is_remote = true;
  StartSpanOptions options;
  options.parent = Context().with_span(parent);
  options.kind = SpanKind::kClient;
  Span span = tracer.start_span("GET /users", options);
  span.set_attribute("http.response.status_code", 200)
      .set_attribute("ratio", 0.5)
      .set_attribute("ok", true)
      .set_attribute("quote", "say \"hi\"\n")
      .set_attribute("tags", std::vector<std::string>{"a", "b"})
      .set_attribute("big", std::int64_t{9007199254740993});
  span.add_event("retry", {{"attempt", 2}});
  span.set_status(StatusCode::kError, "timeout");
  span.end();
  ASSERT_TRUE(provider->shutdown(std::chrono::seconds(10)));

  std::vector<json> lines = read_lines(path_);
  ASSERT_EQ(lines.size(), 1u);
  const json& resource_spans = lines[0].at("resourceSpans").at(0);
  const json& resource_attributes = resource_spans.at("resource").at("attributes");
  EXPECT_EQ(attribute(resource_attributes, "service.name")->at("stringValue"), "file-test");
  EXPECT_EQ(attribute(resource_attributes, "process.pid")->at("intValue"),
            std::to_string(getpid()));
  const json& scope_spans = resource_spans.at("scopeSpans").at(0);
  EXPECT_EQ(scope_spans.at("scope").at("name"), "file.test");
  EXPECT_EQ(scope_spans.at("scope").at("version"), "1.2.3");
  const json& exported = scope_spans.at("spans").at(0);
  EXPECT_EQ(exported.at("traceId"), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(exported.at("spanId"), span.context().span_id.to_hex());
  EXPECT_EQ(exported.at("parentSpanId"), "00f067aa0ba902b7");
  EXPECT_EQ(exported.at("flags"), 0x301) << "sampled, parent is remote (bits 8 and 9)";
  EXPECT_EQ(exported.at("name"), "GET /users");
  EXPECT_EQ(exported.at("kind"), 3);
  ASSERT_TRUE(exported.at("startTimeUnixNano").is_string());
  ASSERT_TRUE(exported.at("endTimeUnixNano").is_string());
  EXPECT_LE(std::stoull(exported.at("startTimeUnixNano").get<std::string>()),
            std::stoull(exported.at("endTimeUnixNano").get<std::string>()));
  const json& attributes = exported.at("attributes");
  EXPECT_EQ(attribute(attributes, "http.response.status_code")->at("intValue"), "200");
  EXPECT_EQ(attribute(attributes, "ratio")->at("doubleValue"), 0.5);
  EXPECT_EQ(attribute(attributes, "ok")->at("boolValue"), true);
  EXPECT_EQ(attribute(attributes, "quote")->at("stringValue"), "say \"hi\"\n");
  EXPECT_EQ(attribute(attributes, "big")->at("intValue"), "9007199254740993");
  const json& tags = attribute(attributes, "tags")->at("arrayValue").at("values");
  ASSERT_EQ(tags.size(), 2u);
  EXPECT_EQ(tags[1].at("stringValue"), "b");
  EXPECT_EQ(attribute(attributes, "thread.id")->at("intValue"),
            std::to_string(static_cast<long long>(gettid())));
  EXPECT_TRUE(attribute(attributes, "thread.name")->contains("stringValue"));
  const json& event = exported.at("events").at(0);
  EXPECT_EQ(event.at("name"), "retry");
  EXPECT_TRUE(event.at("timeUnixNano").is_string());
  EXPECT_EQ(attribute(event.at("attributes"), "attempt")->at("intValue"), "2");
  EXPECT_EQ(exported.at("status").at("code"), 2);
  EXPECT_EQ(exported.at("status").at("message"), "timeout");
}

TEST_F(FileExporterTest, RootSpanHasNoParentAndLocalFlags) {
  auto provider = make_provider();
  provider->tracer("t").start_span("root").end();
  ASSERT_TRUE(provider->shutdown(std::chrono::seconds(10)));
  std::vector<json> lines = read_lines(path_);
  ASSERT_EQ(lines.size(), 1u);
  const json& span = lines[0]["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
  EXPECT_FALSE(span.contains("parentSpanId"));
  EXPECT_EQ(span.at("flags"), 0x103) << "sampled + random, parent known not remote";
  EXPECT_EQ(span.at("status"), json::object());
}

TEST_F(FileExporterTest, InvalidUtf8IsReplacedSoTheLineStaysValidJson) {
  auto provider = make_provider();
  provider->tracer("t").start_span(std::string("bad \xff\xfe name \xe2\x82")).end();
  provider->tracer("t").start_span("caf\xc3\xa9 \x01").end();
  ASSERT_TRUE(provider->shutdown(std::chrono::seconds(10)));
  std::vector<json> lines = read_lines(path_);
  ASSERT_GE(lines.size(), 1u);
  std::vector<std::string> names;
  for (const json& line : lines) {
    for (const json& span : line["resourceSpans"][0]["scopeSpans"][0]["spans"]) {
      names.push_back(span.at("name"));
    }
  }
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(names[0], "bad \xef\xbf\xbd\xef\xbf\xbd name \xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(names[1], "caf\xc3\xa9 \x01");
}

TEST_F(FileExporterTest, UnopenablePathIsAnErrorValue) {
  std::string error;
  EXPECT_EQ(make_file_exporter("/nonexistent-directory/spans.jsonl", &error), nullptr);
  EXPECT_NE(error.find("/nonexistent-directory/spans.jsonl"), std::string::npos);
}

TEST_F(FileExporterTest, ManySpansFromSeveralExportsAreAllOnValidLines) {
  BatchOptions batch;
  batch.max_export_batch_size = 7;
  Options options;
  options.batch = batch;
  std::string error;
  auto exporter = make_file_exporter(path_, &error);
  options.processors.push_back(make_batch_processor(std::move(exporter), batch));
  auto provider = std::make_shared<TracerProvider>(
      finalize_config(std::move(options), testing::fake_environment({})));
  for (int i = 0; i < 100; ++i) provider->tracer("t").start_span("s").end();
  ASSERT_TRUE(provider->shutdown(std::chrono::seconds(10)));
  std::size_t spans = 0;
  for (const json& line : read_lines(path_)) {
    const std::size_t in_line = line["resourceSpans"][0]["scopeSpans"][0]["spans"].size();
    EXPECT_LE(in_line, 7u);
    spans += in_line;
  }
  EXPECT_EQ(spans, 100u);
}

}  // namespace
}  // namespace weft
