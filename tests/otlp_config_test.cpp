// OTEL_EXPORTER_OTLP_* -> the OTLP exporter's options, following the specification's rules.
#include "config/otlp_config.h"

#include <gtest/gtest.h>

#include "test_provider.h"

namespace weft {
namespace {

OtlpHttpOptions options_from(std::map<std::string, std::string> variables,
                             std::vector<std::string>* warnings_out = nullptr) {
  std::vector<std::string> warnings;
  OtlpHttpOptions options = detail::otlp_options_from_environment(
      testing::fake_environment(std::move(variables)), warnings);
  if (warnings_out != nullptr) *warnings_out = warnings;
  return options;
}

TEST(OtlpConfig, DefaultsAreTheSpecifications) {
  std::vector<std::string> warnings;
  const OtlpHttpOptions options = options_from({}, &warnings);
  EXPECT_EQ(options.endpoint, "http://localhost:4318/v1/traces");
  EXPECT_EQ(options.protocol, OtlpProtocol::kHttpProtobuf);
  EXPECT_EQ(options.timeout, std::chrono::milliseconds(10000));
  EXPECT_FALSE(options.gzip);
  EXPECT_TRUE(options.headers.empty());
  EXPECT_TRUE(warnings.empty());
}

TEST(OtlpConfig, TheBaseEndpointGetsTheSignalPathAppended) {
  EXPECT_EQ(options_from({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"}}).endpoint,
            "http://collector:4318/v1/traces");
  EXPECT_EQ(
      options_from({{"OTEL_EXPORTER_OTLP_ENDPOINT", "https://gw.example.com/otlp/"}}).endpoint,
      "https://gw.example.com/otlp/v1/traces");
}

// The specification: exporters MUST honor the scheme, host, port and path of
// OTEL_EXPORTER_OTLP_ENDPOINT and MAY ignore the other components; the signal's path goes after
// the base path, never into a query or fragment.
TEST(OtlpConfig, TheSignalPathGoesIntoThePathNotTheQuery) {
  EXPECT_EQ(
      options_from({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/base?tenant=a"}})
          .endpoint,
      "http://collector:4318/base/v1/traces?tenant=a");
  EXPECT_EQ(options_from({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318?x=1"}}).endpoint,
            "http://collector:4318/v1/traces?x=1");
  EXPECT_EQ(options_from({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/#top"}}).endpoint,
            "http://collector:4318/v1/traces#top");
}

TEST(OtlpConfig, TheTracesEndpointIsUsedAsIsAndWins) {
  EXPECT_EQ(options_from({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://base:4318"},
                          {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://traces:9999/custom"}})
                .endpoint,
            "http://traces:9999/custom");
}

TEST(OtlpConfig, ABadEndpointIsNamedInAWarning) {
  std::vector<std::string> warnings;
  const auto options = options_from({{"OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318"}}, &warnings);
  EXPECT_EQ(options.endpoint, "http://localhost:4318/v1/traces");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("OTEL_EXPORTER_OTLP_ENDPOINT=\"collector:4318\""), std::string::npos);
}

TEST(OtlpConfig, AnEndpointWithoutAHostOrWithABadPortIsNamedInAWarning) {
  for (const char* bad : {"http://", "http://:4318", "http://collector:43x8", "http://collector:99999",
                          "https://[::1", "http://collector:4318:1"}) {
    std::vector<std::string> warnings;
    const auto options =
        options_from({{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", bad}}, &warnings);
    EXPECT_EQ(options.endpoint, "http://localhost:4318/v1/traces") << bad;
    ASSERT_EQ(warnings.size(), 1u) << bad;
    EXPECT_NE(warnings[0].find(bad), std::string::npos) << warnings[0];
  }
  for (const char* good : {"http://collector/v1/traces", "http://[::1]:4318/v1/traces",
                           "https://user:secret@gw.example.com:443/v1/traces",
                           "http://collector:/v1/traces"}) {  // RFC 3986: empty port = default
    std::vector<std::string> warnings;
    EXPECT_EQ(options_from({{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", good}}, &warnings).endpoint,
              good);
    EXPECT_TRUE(warnings.empty()) << good;
  }
}

TEST(OtlpConfig, HeadersArePercentDecodedAndTheTracesFormWins) {
  auto options = options_from({{"OTEL_EXPORTER_OTLP_HEADERS", "api-key=a%20b%2Cc,tenant=x"}});
  ASSERT_EQ(options.headers.size(), 2u);
  EXPECT_EQ(options.headers[0], (std::pair<std::string, std::string>{"api-key", "a b,c"}));
  EXPECT_EQ(options.headers[1], (std::pair<std::string, std::string>{"tenant", "x"}));
  options = options_from(
      {{"OTEL_EXPORTER_OTLP_HEADERS", "a=1"}, {"OTEL_EXPORTER_OTLP_TRACES_HEADERS", "b=2"}});
  ASSERT_EQ(options.headers.size(), 1u);
  EXPECT_EQ(options.headers[0].first, "b");
  std::vector<std::string> warnings;
  options = options_from({{"OTEL_EXPORTER_OTLP_TRACES_HEADERS", "novalue"}}, &warnings);
  EXPECT_TRUE(options.headers.empty());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("OTEL_EXPORTER_OTLP_TRACES_HEADERS"), std::string::npos);
}

TEST(OtlpConfig, ProtocolTimeoutCompressionAndCertificates) {
  std::vector<std::string> warnings;
  const auto options = options_from({{"OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"},
                                     {"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "2500"},
                                     {"OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"},
                                     {"OTEL_EXPORTER_OTLP_CERTIFICATE", "/etc/ca.pem"},
                                     {"OTEL_EXPORTER_OTLP_CLIENT_KEY", "/etc/key.pem"},
                                     {"OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", "/etc/cert.pem"}},
                                    &warnings);
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(options.protocol, OtlpProtocol::kHttpJson);
  EXPECT_EQ(options.timeout, std::chrono::milliseconds(2500));
  EXPECT_TRUE(options.gzip);
  EXPECT_EQ(options.certificate_file, "/etc/ca.pem");
  EXPECT_EQ(options.client_key_file, "/etc/key.pem");
  EXPECT_EQ(options.client_certificate_file, "/etc/cert.pem");
}

// OTEL_EXPORTER_OTLP_TIMEOUT is a Timeout: "Implementations SHOULD interpret timeout zero values
// (i.e. 0 indicating 0 milliseconds) as indefinite", and MAY substitute the largest number of
// milliseconds a 32-bit integer holds.
TEST(OtlpConfig, ATimeoutOfZeroMeansNoLimit) {
  std::vector<std::string> warnings;
  const auto options = options_from({{"OTEL_EXPORTER_OTLP_TIMEOUT", "0"}}, &warnings);
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(options.timeout, std::chrono::milliseconds(INT32_MAX));
  EXPECT_EQ(options_from({{"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "0"},
                          {"OTEL_EXPORTER_OTLP_TIMEOUT", "5"}})
                .timeout,
            std::chrono::milliseconds(INT32_MAX));
}

TEST(OtlpConfig, BadValuesAreNamedAndFallBackToDefaults) {
  std::vector<std::string> warnings;
  const auto options = options_from({{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"},
                                     {"OTEL_EXPORTER_OTLP_TIMEOUT", "soon"},
                                     {"OTEL_EXPORTER_OTLP_COMPRESSION", "brotli"}},
                                    &warnings);
  EXPECT_EQ(options.protocol, OtlpProtocol::kHttpProtobuf);
  EXPECT_EQ(options.timeout, std::chrono::milliseconds(10000));
  EXPECT_FALSE(options.gzip);
  ASSERT_EQ(warnings.size(), 3u);
  EXPECT_NE(warnings[0].find("OTEL_EXPORTER_OTLP_PROTOCOL=\"grpc\""), std::string::npos);
  EXPECT_NE(warnings[1].find("OTEL_EXPORTER_OTLP_TIMEOUT=\"soon\""), std::string::npos);
  EXPECT_NE(warnings[2].find("OTEL_EXPORTER_OTLP_COMPRESSION=\"brotli\""), std::string::npos);
}

TEST(OtlpConfig, OtelTracesExporterOtlpBuildsABatchProcessor) {
  Config config = finalize_config(
      Options{},
      testing::fake_environment({{"OTEL_TRACES_EXPORTER", "otlp"},
                                 {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9"}}));
  EXPECT_EQ(config.processors.size(), 1u);
  EXPECT_TRUE(config.warnings.empty());
  for (auto& processor : config.processors) processor->shutdown(std::chrono::milliseconds(1000));
}

}  // namespace
}  // namespace weft
