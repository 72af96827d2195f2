// Configuration: OTEL_* variables parsed by the specification's rules, options winning over
// variables, and every bad value answered with a warning that names it and the default used.
#include <gtest/gtest.h>

#include "config/env_values.h"
#include "test_provider.h"
#include "weft/config.h"

namespace weft {
namespace {

using testing::fake_environment;

std::string string_attribute(const Resource& resource, std::string_view key) {
  const AttributeValue* value = resource.get(key);
  if (value == nullptr || !std::holds_alternative<std::string>(*value)) return "<missing>";
  return std::get<std::string>(*value);
}

bool any_warning_contains(const Config& config, std::string_view text) {
  for (const std::string& warning : config.warnings) {
    if (warning.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(ConfigTest, DefaultsWithAnEmptyEnvironment) {
  Config config = finalize_config({}, fake_environment({}));
  EXPECT_FALSE(config.disabled);
  EXPECT_TRUE(config.warnings.empty());
  EXPECT_TRUE(config.processors.empty()) << "no exporter unless one is configured";
  EXPECT_EQ(config.sampler->description().rfind("ParentBased{root:AlwaysOnSampler", 0), 0u);
  EXPECT_EQ(config.batch.max_queue_size, 2048u);
  EXPECT_EQ(config.batch.max_export_batch_size, 512u);
  EXPECT_EQ(config.batch.schedule_delay, std::chrono::milliseconds(5000));
  EXPECT_EQ(config.batch.export_timeout, std::chrono::milliseconds(30000));
  EXPECT_EQ(config.limits.attribute_count, 128u);
  EXPECT_EQ(string_attribute(config.resource, "telemetry.sdk.name"), "weft");
  EXPECT_EQ(string_attribute(config.resource, "telemetry.sdk.language"), "cpp");
  EXPECT_EQ(string_attribute(config.resource, "service.name").rfind("unknown_service:", 0), 0u);
  EXPECT_EQ(*config.resource.get("process.pid"), AttributeValue(std::int64_t{getpid()}));
  EXPECT_EQ(*config.resource.get("process.parent_pid"), AttributeValue(std::int64_t{getppid()}));
  EXPECT_NE(config.resource.get("process.executable.name"), nullptr);
  EXPECT_NE(config.resource.get("process.command_args"), nullptr);
  EXPECT_NE(config.resource.get("host.name"), nullptr);
}

TEST(ConfigTest, ServiceNameAndResourceAttributes) {
  Config config = finalize_config(
      {}, fake_environment({{"OTEL_RESOURCE_ATTRIBUTES",
                             "service.name=from-attributes, deployment.environment=prod,"
                             "note=a%20b%2Cc"},
                            {"OTEL_SERVICE_NAME", "checkout"}}));
  EXPECT_EQ(string_attribute(config.resource, "service.name"), "checkout");
  EXPECT_EQ(string_attribute(config.resource, "deployment.environment"), "prod");
  EXPECT_EQ(string_attribute(config.resource, "note"), "a b,c");
}

TEST(ConfigTest, OptionsWinOverTheEnvironment) {
  Options options;
  options.service_name = "from-code";
  options.disabled = false;
  options.sampler = always_off_sampler();
  Config config = finalize_config(
      std::move(options), fake_environment({{"OTEL_SERVICE_NAME", "from-env"},
                                            {"OTEL_SDK_DISABLED", "true"},
                                            {"OTEL_TRACES_SAMPLER", "always_on"}}));
  EXPECT_FALSE(config.disabled);
  EXPECT_EQ(string_attribute(config.resource, "service.name"), "from-code");
  EXPECT_EQ(config.sampler->description(), "AlwaysOffSampler");
}

TEST(ConfigTest, SdkDisabled) {
  EXPECT_TRUE(finalize_config({}, fake_environment({{"OTEL_SDK_DISABLED", "TRUE"}})).disabled);
  EXPECT_FALSE(finalize_config({}, fake_environment({{"OTEL_SDK_DISABLED", "false"}})).disabled);
  Config bad = finalize_config({}, fake_environment({{"OTEL_SDK_DISABLED", "yes"}}));
  EXPECT_FALSE(bad.disabled);
  EXPECT_TRUE(any_warning_contains(bad, "OTEL_SDK_DISABLED=\"yes\""));
  EXPECT_TRUE(any_warning_contains(bad, "using false"));
}

TEST(ConfigTest, Samplers) {
  const auto description = [](std::map<std::string, std::string> variables) {
    return finalize_config({}, fake_environment(std::move(variables))).sampler->description();
  };
  EXPECT_EQ(description({{"OTEL_TRACES_SAMPLER", "always_off"}}), "AlwaysOffSampler");
  EXPECT_EQ(description({{"OTEL_TRACES_SAMPLER", "traceidratio"},
                         {"OTEL_TRACES_SAMPLER_ARG", "0.25"}}),
            "TraceIdRatioBased{0.250000}");
  EXPECT_EQ(description({{"OTEL_TRACES_SAMPLER", "parentbased_traceidratio"},
                         {"OTEL_TRACES_SAMPLER_ARG", "0.5"}})
                .rfind("ParentBased{root:TraceIdRatioBased{0.500000}", 0),
            0u);
  EXPECT_EQ(description({{"OTEL_TRACES_SAMPLER", "parentbased_always_off"}})
                .rfind("ParentBased{root:AlwaysOffSampler", 0),
            0u);

  Config bad_arg = finalize_config({}, fake_environment({{"OTEL_TRACES_SAMPLER", "traceidratio"},
                                                         {"OTEL_TRACES_SAMPLER_ARG", "1.5"}}));
  EXPECT_EQ(bad_arg.sampler->description(), "TraceIdRatioBased{1.000000}");
  EXPECT_TRUE(any_warning_contains(bad_arg, "OTEL_TRACES_SAMPLER_ARG=\"1.5\""));

  Config unknown = finalize_config({}, fake_environment({{"OTEL_TRACES_SAMPLER", "sometimes"}}));
  EXPECT_TRUE(any_warning_contains(unknown, "OTEL_TRACES_SAMPLER=\"sometimes\""));
  EXPECT_TRUE(any_warning_contains(unknown, "using parentbased_always_on"));
}

TEST(ConfigTest, BatchVariablesAndTheirBadValues) {
  Config config = finalize_config({}, fake_environment({{"OTEL_BSP_SCHEDULE_DELAY", "250"},
                                                        {"OTEL_BSP_EXPORT_TIMEOUT", "1000"},
                                                        {"OTEL_BSP_MAX_QUEUE_SIZE", "100"},
                                                        {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "10"}}));
  EXPECT_EQ(config.batch.schedule_delay, std::chrono::milliseconds(250));
  EXPECT_EQ(config.batch.export_timeout, std::chrono::milliseconds(1000));
  EXPECT_EQ(config.batch.max_queue_size, 100u);
  EXPECT_EQ(config.batch.max_export_batch_size, 10u);
  EXPECT_TRUE(config.warnings.empty());

  Config bad = finalize_config({}, fake_environment({{"OTEL_BSP_SCHEDULE_DELAY", "-5"},
                                                     {"OTEL_BSP_MAX_QUEUE_SIZE", "lots"},
                                                     {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "4096"}}));
  EXPECT_EQ(bad.batch.schedule_delay, std::chrono::milliseconds(5000));
  EXPECT_EQ(bad.batch.max_queue_size, 2048u);
  // Out of its valid range (at most the queue size), so treated as not set: the default 512.
  EXPECT_EQ(bad.batch.max_export_batch_size, 512u);
  EXPECT_TRUE(any_warning_contains(bad, "OTEL_BSP_SCHEDULE_DELAY=\"-5\""));
  EXPECT_TRUE(any_warning_contains(bad, "OTEL_BSP_MAX_QUEUE_SIZE=\"lots\""));
  EXPECT_TRUE(any_warning_contains(bad, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE"));
}

// OTEL_BSP_EXPORT_TIMEOUT is a Timeout: "Implementations SHOULD interpret timeout zero values ...
// as indefinite" (and MAY use the largest 32-bit number of milliseconds). Taken as 0 ms, a flush
// or shutdown would not wait at all and the spans still queued at exit would be lost.
TEST(ConfigTest, AnExportTimeoutOfZeroMeansNoLimit) {
  Config config = finalize_config({}, fake_environment({{"OTEL_BSP_EXPORT_TIMEOUT", "0"}}));
  EXPECT_EQ(config.batch.export_timeout, std::chrono::milliseconds(INT32_MAX));
  EXPECT_TRUE(config.warnings.empty());
}

// "For variables accepting a numeric value, if the user provides a value ... which is outside the
// valid range for the configuration item, the implementation SHOULD generate a warning and
// gracefully ignore the setting, i.e., treat them as not set."
TEST(ConfigTest, ABatchSizeOverTheQueueSizeIsTreatedAsNotSet) {
  Config config = finalize_config({}, fake_environment({{"OTEL_BSP_MAX_QUEUE_SIZE", "1000"},
                                                        {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "1001"}}));
  EXPECT_EQ(config.batch.max_export_batch_size, 512u);
  EXPECT_TRUE(any_warning_contains(config, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE=\"1001\""));

  // The default itself still never exceeds a smaller queue.
  Config small = finalize_config({}, fake_environment({{"OTEL_BSP_MAX_QUEUE_SIZE", "100"}}));
  EXPECT_EQ(small.batch.max_export_batch_size, 100u);
  EXPECT_TRUE(small.warnings.empty());
}

TEST(ConfigTest, LimitVariables) {
  Config config = finalize_config({}, fake_environment({{"OTEL_ATTRIBUTE_COUNT_LIMIT", "10"},
                                                        {"OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "64"},
                                                        {"OTEL_SPAN_EVENT_COUNT_LIMIT", "5"},
                                                        {"OTEL_SPAN_LINK_COUNT_LIMIT", "6"},
                                                        {"OTEL_LINK_ATTRIBUTE_COUNT_LIMIT", "3"}}));
  EXPECT_EQ(config.limits.attribute_count, 10u);
  EXPECT_EQ(config.limits.attribute_value_length, 64u);
  EXPECT_EQ(config.limits.event_count, 5u);
  EXPECT_EQ(config.limits.link_count, 6u);
  EXPECT_EQ(config.limits.attributes_per_event, 10u) << "the general limit applies";
  EXPECT_EQ(config.limits.attributes_per_link, 3u);

  Config specific = finalize_config({}, fake_environment({{"OTEL_ATTRIBUTE_COUNT_LIMIT", "10"},
                                                          {"OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "20"}}));
  EXPECT_EQ(specific.limits.attribute_count, 20u) << "the span-specific variable wins";
}

TEST(ConfigTest, ExportersByName) {
  const std::string path = ::testing::TempDir() + "/config_test_file_exporter.jsonl";
  Config config = finalize_config(
      {}, fake_environment({{"OTEL_TRACES_EXPORTER", "console, file"}, {"WEFT_TRACES_FILE", path}}));
  EXPECT_EQ(config.processors.size(), 2u);
  EXPECT_TRUE(config.warnings.empty());
  for (auto& processor : config.processors) processor->shutdown(std::chrono::seconds(1));

  Config none = finalize_config({}, fake_environment({{"OTEL_TRACES_EXPORTER", "none"}}));
  EXPECT_TRUE(none.processors.empty());

  Config unknown = finalize_config({}, fake_environment({{"OTEL_TRACES_EXPORTER", "zipkin"}}));
  EXPECT_TRUE(unknown.processors.empty());
  EXPECT_TRUE(any_warning_contains(unknown, "OTEL_TRACES_EXPORTER=\"zipkin\""));

  Config unwritable = finalize_config(
      {}, fake_environment({{"OTEL_TRACES_EXPORTER", "file"},
                            {"WEFT_TRACES_FILE", "/nonexistent-dir/x.jsonl"}}));
  EXPECT_TRUE(unwritable.processors.empty());
  EXPECT_TRUE(any_warning_contains(unwritable, "/nonexistent-dir/x.jsonl"));
}

TEST(ConfigTest, AnOtlpEndpointAloneSelectsTheOtlpExporter) {
  for (const char* variable : {"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"}) {
    Config config = finalize_config({}, fake_environment({{variable, "http://127.0.0.1:9"}}));
    EXPECT_EQ(config.processors.size(), 1u) << variable << " names a collector: export there";
    for (auto& processor : config.processors) processor->shutdown(std::chrono::seconds(1));
  }
  Config explicit_none = finalize_config(
      {}, fake_environment({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9"},
                            {"OTEL_TRACES_EXPORTER", "none"}}));
  EXPECT_TRUE(explicit_none.processors.empty()) << "an explicit exporter choice wins";
}

TEST(ConfigTest, EmptyValuesCountAsUnset) {
  Config config = finalize_config({}, fake_environment({{"OTEL_SDK_DISABLED", ""},
                                                        {"OTEL_BSP_MAX_QUEUE_SIZE", "  "}}));
  EXPECT_FALSE(config.disabled);
  EXPECT_EQ(config.batch.max_queue_size, 2048u);
  EXPECT_TRUE(config.warnings.empty());
}

TEST(EnvValuesTest, Parsers) {
  EXPECT_EQ(detail::parse_unsigned(" 42 "), std::optional<std::uint64_t>(42));
  EXPECT_EQ(detail::parse_unsigned("18446744073709551615"),
            std::optional<std::uint64_t>(UINT64_MAX));
  EXPECT_FALSE(detail::parse_unsigned("18446744073709551616"));
  EXPECT_FALSE(detail::parse_unsigned("4 2"));
  EXPECT_FALSE(detail::parse_unsigned("+1"));
  EXPECT_FALSE(detail::parse_double("nan"));
  EXPECT_FALSE(detail::parse_double("0.5x"));
  EXPECT_EQ(detail::parse_double("0.5"), std::optional<double>(0.5));
  EXPECT_FALSE(detail::parse_key_value_list("a=1,broken"));
  EXPECT_FALSE(detail::parse_key_value_list("a=%zz"));
  EXPECT_FALSE(detail::parse_key_value_list("=value"));
  auto members = detail::parse_key_value_list("a=1,,b = two ");
  ASSERT_TRUE(members);
  ASSERT_EQ(members->size(), 2u);
  EXPECT_EQ((*members)[1].first, "b");
  EXPECT_EQ((*members)[1].second, "two");
  EXPECT_EQ(detail::parse_name_list(" Console ,,FILE"),
            (std::vector<std::string>{"console", "file"}));
}

}  // namespace
}  // namespace weft
