// The OTLP/HTTP exporter's rules, with a scripted transport: what it sends, when it retries, how
// long it waits, and what it reports. Real sockets are in otlp_fault_test.cpp.
#include "export/otlp_http_exporter.h"

#include <gtest/gtest.h>

#include <deque>
#include <mutex>
#include <thread>

#include "diagnostics/counters.h"
#include "export/final_drain.h"
#include "export/gzip.h"
#include "export/retry_policy.h"
#include "trace_service.pb.h"
#include "weft/diagnostics.h"

namespace weft {
namespace {

using std::chrono::milliseconds;

struct Exchange {
  detail::HttpRequest request;
  std::string body;
  milliseconds timeout{0};
  std::chrono::steady_clock::time_point when;
};

// Answers each post with the next scripted response (the last one repeats) and records it.
class ScriptedTransport final : public detail::HttpTransport {
 public:
  struct Log {
    std::mutex mutex;
    std::vector<Exchange> exchanges;
    std::deque<detail::HttpResponse> script;
  };
  explicit ScriptedTransport(std::shared_ptr<Log> log) : log_(std::move(log)) {}

  detail::HttpResponse post(const detail::HttpRequest& request, milliseconds timeout,
                            const std::atomic<bool>&) noexcept override {
    std::lock_guard<std::mutex> lock(log_->mutex);
    log_->exchanges.push_back(
        Exchange{request, *request.body, timeout, std::chrono::steady_clock::now()});
    detail::HttpResponse response = log_->script.front();
    if (log_->script.size() > 1) log_->script.pop_front();
    return response;
  }

 private:
  std::shared_ptr<Log> log_;
};

detail::HttpResponse answer(long status, std::optional<std::string> retry_after = std::nullopt,
                            std::string body = {}) {
  detail::HttpResponse response;
  response.status = status;
  response.retry_after = std::move(retry_after);
  response.body = std::move(body);
  return response;
}

struct ExporterUnderTest {
  std::shared_ptr<ScriptedTransport::Log> log = std::make_shared<ScriptedTransport::Log>();
  std::unique_ptr<SpanExporter> exporter;
  SpanData span;
  std::vector<std::string> messages;

  explicit ExporterUnderTest(std::vector<detail::HttpResponse> script,
                             OtlpHttpOptions options = {}) {
    log->script.assign(script.begin(), script.end());
    if (options.initial_backoff == milliseconds(1000)) options.initial_backoff = milliseconds(10);
    options.max_backoff = std::min(options.max_backoff, milliseconds(40));
    exporter = detail::make_otlp_http_exporter(options, std::make_unique<ScriptedTransport>(log));
    span.context.trace_id = TraceId::from_words(7, 8);
    span.context.span_id = SpanId::from_word(9);
    span.name = "sent";
    set_log_handler([this](LogLevel level, std::string_view message) {
      if (level >= LogLevel::kWarning) messages.emplace_back(message);
    });
  }
  ~ExporterUnderTest() { set_log_handler({}); }

  ExportResult export_one() { return exporter->export_spans({&span}); }
  std::size_t attempts() {
    std::lock_guard<std::mutex> lock(log->mutex);
    return log->exchanges.size();
  }
};

std::string header(const detail::HttpRequest& request, const std::string& name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) return value;
  }
  return "<missing>";
}

TEST(OtlpHttpExporter, PostsProtobufToTheEndpointWithTheConfiguredHeaders) {
  OtlpHttpOptions options;
  options.endpoint = "http://127.0.0.1:1/custom/path";
  options.headers = {{"api-key", "secret value"}};
  ExporterUnderTest test({answer(200)}, options);
  EXPECT_EQ(test.export_one(), ExportResult::kSuccess);
  ASSERT_EQ(test.attempts(), 1u);
  const Exchange& sent = test.log->exchanges[0];
  EXPECT_EQ(sent.request.url, "http://127.0.0.1:1/custom/path");
  EXPECT_EQ(header(sent.request, "Content-Type"), "application/x-protobuf");
  EXPECT_EQ(header(sent.request, "api-key"), "secret value");
  EXPECT_EQ(header(sent.request, "Content-Encoding"), "<missing>");
  opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest request;
  ASSERT_TRUE(request.ParseFromString(sent.body));
  EXPECT_EQ(request.resource_spans(0).scope_spans(0).spans(0).name(), "sent");
  EXPECT_LE(sent.timeout, milliseconds(10000));
  EXPECT_GT(sent.timeout, milliseconds(9000));
}

TEST(OtlpHttpExporter, NamesItsLanguageAndVersionInTheUserAgentUnlessTheUserSetOne) {
  ExporterUnderTest plain({answer(200)});
  ASSERT_EQ(plain.export_one(), ExportResult::kSuccess);
  const std::string agent = header(plain.log->exchanges.at(0).request, "User-Agent");
  EXPECT_EQ(agent.rfind("OTel-OTLP-Exporter-Cpp/", 0), 0u) << agent;
  EXPECT_NE(agent.find("weft"), std::string::npos) << agent;

  OtlpHttpOptions options;
  options.headers = {{"user-agent", "billing-service/2.1"}};
  ExporterUnderTest custom({answer(200)}, options);
  ASSERT_EQ(custom.export_one(), ExportResult::kSuccess);
  std::size_t agents = 0;
  for (const auto& [name, value] : custom.log->exchanges.at(0).request.headers) {
    if (name == "User-Agent" || name == "user-agent") {
      ++agents;
      EXPECT_EQ(value, "billing-service/2.1");
    }
  }
  EXPECT_EQ(agents, 1u);
}

// Headers from OTEL_EXPORTER_OTLP_HEADERS are percent-decoded, so they can hold anything: a CR LF
// in a value would end the header and add one of the user's choosing, and a name with a space
// makes a strict server refuse every request. Neither is sent, nor a second Content-Type.
TEST(OtlpHttpExporter, HeadersThatWouldCorruptTheRequestAreNotSentAndSaySo) {
  std::vector<std::string> warnings;
  set_log_handler([&](LogLevel level, std::string_view message) {
    if (level >= LogLevel::kWarning) warnings.emplace_back(message);
  });
  OtlpHttpOptions options;
  options.headers = {{"x-split", "a\r\nX-Injected: yes"},
                     {"bad name", "1"},
                     {"x-nul", std::string("a\0b", 3)},
                     {"Content-Type", "text/plain"},
                     {"Content-Length", "1"},
                     {"x-kept", "tab\tand \xc3\xa9"},
                     {"", "empty name"}};
  ExporterUnderTest test({answer(200)}, options);
  set_log_handler({});
  ASSERT_EQ(test.export_one(), ExportResult::kSuccess);
  std::vector<std::string> names;
  for (const auto& [name, value] : test.log->exchanges.at(0).request.headers) {
    names.push_back(name);
    EXPECT_EQ(value.find_first_of("\r\n"), std::string::npos) << name;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"x-kept", "Content-Type", "User-Agent"}));
  EXPECT_EQ(header(test.log->exchanges[0].request, "Content-Type"), "application/x-protobuf");
  ASSERT_EQ(warnings.size(), 6u);
  EXPECT_NE(warnings[0].find("\"x-split\" is not sent"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[3].find("\"Content-Type\" is not sent"), std::string::npos) << warnings[3];
}

// Set in code, a timeout past what the clock can add (or zero, or negative) is the longest one
// the environment allows (about 24.8 days), not an overflowed deadline that times out at once.
TEST(OtlpHttpExporter, AnOutOfRangeTimeoutSetInCodeMeansTheLongestOne) {
  for (const milliseconds timeout : {milliseconds::max(), milliseconds(0), milliseconds(-5)}) {
    OtlpHttpOptions options;
    options.timeout = timeout;
    ExporterUnderTest test({answer(503), answer(200)}, options);
    EXPECT_EQ(test.export_one(), ExportResult::kSuccess) << timeout.count();
    ASSERT_EQ(test.attempts(), 2u) << timeout.count();
    EXPECT_GT(test.log->exchanges[0].timeout, milliseconds(24LL * 24 * 3600 * 1000));
    EXPECT_LE(test.log->exchanges[0].timeout, milliseconds(INT32_MAX));
  }
}

TEST(OtlpHttpExporter, JsonProtocolPostsOtlpJson) {
  OtlpHttpOptions options;
  options.protocol = OtlpProtocol::kHttpJson;
  ExporterUnderTest test({answer(200)}, options);
  EXPECT_EQ(test.export_one(), ExportResult::kSuccess);
  const Exchange& sent = test.log->exchanges.at(0);
  EXPECT_EQ(header(sent.request, "Content-Type"), "application/json");
  EXPECT_NE(sent.body.find("\"spanId\":\"0000000000000009\""), std::string::npos) << sent.body;
}

TEST(OtlpHttpExporter, GzipCompressesTheBodyAndSaysSo) {
  OtlpHttpOptions options;
  options.gzip = true;
  ExporterUnderTest test({answer(200)}, options);
  EXPECT_EQ(test.export_one(), ExportResult::kSuccess);
  const Exchange& sent = test.log->exchanges.at(0);
  EXPECT_EQ(header(sent.request, "Content-Encoding"), "gzip");
  std::string inflated;
  ASSERT_EQ(detail::gzip_decompress(sent.body, 1 << 20, inflated), detail::GunzipResult::kOk);
  opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest request;
  ASSERT_TRUE(request.ParseFromString(inflated));
  EXPECT_EQ(request.resource_spans(0).scope_spans(0).spans(0).name(), "sent");
}

TEST(OtlpHttpExporter, RetriesRetryableStatusesThenSucceeds) {
  ExporterUnderTest test({answer(503), answer(429), answer(502), answer(504), answer(200)});
  EXPECT_EQ(test.export_one(), ExportResult::kSuccess);
  EXPECT_EQ(test.attempts(), 5u);
  // Every retry sends the same body.
  for (const Exchange& exchange : test.log->exchanges) {
    EXPECT_EQ(exchange.body, test.log->exchanges[0].body);
  }
}

TEST(OtlpHttpExporter, RetriesWhenNoResponseArrives) {
  detail::HttpResponse refused;
  refused.error = "Couldn't connect to server";
  ExporterUnderTest test({refused, answer(200)});
  EXPECT_EQ(test.export_one(), ExportResult::kSuccess);
  EXPECT_EQ(test.attempts(), 2u);
}

TEST(OtlpHttpExporter, DoesNotRetryA400AndSaysWhyOnce) {
  ExporterUnderTest test({answer(400, std::nullopt, "bad span")});
  EXPECT_EQ(test.export_one(), ExportResult::kFailure);
  EXPECT_EQ(test.export_one(), ExportResult::kFailure);
  EXPECT_EQ(test.attempts(), 2u);
  ASSERT_EQ(test.messages.size(), 1u);  // one warning per failure streak, not per export
  EXPECT_NE(test.messages[0].find("HTTP 400 (bad span)"), std::string::npos) << test.messages[0];
}

// Outside the final drain every failing batch retries until its timeout (a collector that
// restarts must not cost every queued batch). In the final drain (shutdown, exit), a collector
// known not to answer gets one attempt per batch: the exit is not held for one export timeout
// per queued batch.
TEST(OtlpHttpExporter, InTheFinalDrainACollectorKnownDownGetsOneAttemptPerBatch) {
  detail::HttpResponse refused;
  refused.error = "Couldn't connect to server";
  OtlpHttpOptions options;
  options.timeout = milliseconds(200);
  ExporterUnderTest test({refused}, options);
  EXPECT_EQ(test.export_one(), ExportResult::kFailure);
  const std::size_t first = test.attempts();
  EXPECT_GE(first, 3u) << "a failing batch retries until its timeout";
  EXPECT_EQ(test.export_one(), ExportResult::kFailure);
  // How many retries fit in the timeout depends on the scheduler (a loaded CI host fit 8 after
  // 10): that it retries at all is the point.
  EXPECT_GE(test.attempts(), first + 2) << "and so does the next one, outside the drain";

  detail::begin_final_drain(test.exporter.get());
  const std::size_t before = test.attempts();
  const auto start = std::chrono::steady_clock::now();
  for (int batch = 0; batch < 10; ++batch) EXPECT_EQ(test.export_one(), ExportResult::kFailure);
  EXPECT_EQ(test.attempts(), before + 10) << "one attempt per batch";
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(150));
}

// A collector that was answering when the drain began gets its retries for the drain's first
// failing batch (it may be a blip); once that batch gives up, the rest get at most one attempt
// each (none once the drain's first timeout is over).
TEST(OtlpHttpExporter, InTheFinalDrainAHealthyCollectorsFirstFailureIsStillRetried) {
  detail::HttpResponse refused;
  refused.error = "Couldn't connect to server";
  OtlpHttpOptions options;
  options.timeout = milliseconds(200);
  ExporterUnderTest test({answer(200), refused}, options);
  EXPECT_EQ(test.export_one(), ExportResult::kSuccess);
  detail::begin_final_drain(test.exporter.get());
  EXPECT_EQ(test.export_one(), ExportResult::kFailure);
  EXPECT_GE(test.attempts(), 1u + 3u) << "retried until the timeout";
  const std::size_t after_first = test.attempts();
  const auto start = std::chrono::steady_clock::now();
  for (int batch = 0; batch < 5; ++batch) EXPECT_EQ(test.export_one(), ExportResult::kFailure);
  EXPECT_LE(test.attempts(), after_first + 5);
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(150)) << "no retries";
}

// A collector that accepts connections and never answers: each post waits out its whole timeout.
class SilentTransport final : public detail::HttpTransport {
 public:
  detail::HttpResponse post(const detail::HttpRequest&, milliseconds timeout,
                            const std::atomic<bool>&) noexcept override {
    posts.fetch_add(1);
    std::this_thread::sleep_for(std::min(timeout, milliseconds(5000)));
    detail::HttpResponse response;
    response.error = "Timeout was reached";
    return response;
  }
  std::atomic<int> posts{0};
};

// In the final drain such a collector costs one timeout in all, not one per queued batch: once a
// batch has given up, the others end when the drain's first timeout does.
TEST(OtlpHttpExporter, InTheFinalDrainASilentCollectorCostsOneTimeoutNotOnePerBatch) {
  OtlpHttpOptions options;
  options.timeout = milliseconds(300);
  auto transport = std::make_unique<SilentTransport>();
  SilentTransport& silent = *transport;
  std::unique_ptr<SpanExporter> exporter =
      detail::make_otlp_http_exporter(options, std::move(transport));
  SpanData span;
  span.context.trace_id = TraceId::from_words(1, 2);
  span.context.span_id = SpanId::from_word(3);
  set_log_handler([](LogLevel, std::string_view) {});
  detail::begin_final_drain(exporter.get());
  const auto start = std::chrono::steady_clock::now();
  for (int batch = 0; batch < 5; ++batch) {
    EXPECT_EQ(exporter->export_spans({&span}), ExportResult::kFailure);
  }
  const auto took = std::chrono::steady_clock::now() - start;
  set_log_handler({});
  EXPECT_LT(took, milliseconds(900)) << "5 batches x 300 ms before";
  EXPECT_GE(took, milliseconds(250)) << "the first batch still waits for an answer";
  EXPECT_LE(silent.posts.load(), 2);
}

// A batch waiting to retry when the drain begins (the processor's shutdown) stops waiting, and
// gives up: the collector was already failing.
TEST(OtlpHttpExporter, TheFinalDrainEndsAWaitBetweenRetriesOfACollectorThatIsDown) {
  OtlpHttpOptions options;
  options.timeout = milliseconds(60000);
  ExporterUnderTest test({answer(503, "30")}, options);  // "retry in 30 s"
  std::atomic<bool> done{false};
  std::thread exporting([&] {
    EXPECT_EQ(test.export_one(), ExportResult::kFailure);
    done = true;
  });
  while (test.attempts() == 0) std::this_thread::sleep_for(milliseconds(1));
  // The attempt is counted as the collector answers, a moment before the exporter notes the
  // outage and starts its 30 s wait. A drain beginning within that moment meets a collector not
  // yet known down, whose first failure is retried by design (it failed under ThreadSanitizer on
  // a loaded machine): let the exporter reach its wait first.
  std::this_thread::sleep_for(milliseconds(200));
  const auto start = std::chrono::steady_clock::now();
  detail::begin_final_drain(test.exporter.get());
  exporting.join();
  EXPECT_TRUE(done);
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(5000));
  EXPECT_EQ(test.attempts(), 1u);
}

// A batch refused as invalid (400) is not an unreachable collector: the drain keeps retrying the
// next batch's 503.
TEST(OtlpHttpExporter, InTheFinalDrainANonRetryableRefusalDoesNotStopRetries) {
  ExporterUnderTest test({answer(400), answer(503), answer(200)});
  detail::begin_final_drain(test.exporter.get());
  EXPECT_EQ(test.export_one(), ExportResult::kFailure);
  EXPECT_EQ(test.export_one(), ExportResult::kSuccess);
  EXPECT_EQ(test.attempts(), 3u);
}

TEST(OtlpHttpExporter, HonoursRetryAfterSeconds) {
  ExporterUnderTest test({answer(503, "1"), answer(200)});
  EXPECT_EQ(test.export_one(), ExportResult::kSuccess);
  ASSERT_EQ(test.attempts(), 2u);
  const auto waited = test.log->exchanges[1].when - test.log->exchanges[0].when;
  EXPECT_GE(waited, milliseconds(1000));
}

TEST(OtlpHttpExporter, GivesUpWhenRetryAfterPassesTheTimeout) {
  OtlpHttpOptions options;
  options.timeout = milliseconds(300);
  ExporterUnderTest test({answer(429, "60")}, options);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(test.export_one(), ExportResult::kFailure);
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(300));
  EXPECT_EQ(test.attempts(), 1u);
}

TEST(OtlpHttpExporter, RetriesAreBoundedByTheExportTimeout) {
  OtlpHttpOptions options;
  options.timeout = milliseconds(250);
  ExporterUnderTest test({answer(503)}, options);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(test.export_one(), ExportResult::kFailure);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, milliseconds(300));
  EXPECT_GE(test.attempts(), 3u);
  // Each attempt gets only what is left of the timeout.
  EXPECT_LT(test.log->exchanges.back().timeout, test.log->exchanges.front().timeout);
}

TEST(OtlpHttpExporter, ShutdownCancelsAWaitBetweenRetries) {
  OtlpHttpOptions options;
  options.timeout = milliseconds(60000);
  ExporterUnderTest test({answer(503, "30"), answer(200)}, options);
  std::thread stopper([&] {
    std::this_thread::sleep_for(milliseconds(100));
    test.exporter->shutdown(milliseconds(1000));
  });
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(test.export_one(), ExportResult::kFailure);
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(5000));
  stopper.join();
  EXPECT_EQ(test.export_one(), ExportResult::kFailure);  // nothing is sent after shutdown
  EXPECT_EQ(test.attempts(), 1u);
}

TEST(OtlpHttpExporter, PartialSuccessIsLoggedWithTheRejectedCountAndCounted) {
  opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse response;
  response.mutable_partial_success()->set_rejected_spans(1);
  response.mutable_partial_success()->set_error_message("span too old");
  reset_diagnostics();
  ExporterUnderTest test({answer(200, std::nullopt, response.SerializeAsString())});
  EXPECT_EQ(test.export_one(), ExportResult::kSuccess);
  ASSERT_EQ(test.messages.size(), 1u);
  EXPECT_NE(test.messages[0].find("rejected 1 of 1 spans: span too old"), std::string::npos)
      << test.messages[0];
  EXPECT_EQ(diagnostics().spans_rejected_by_collector, 1u);
}

TEST(OtlpHttpExporter, PartialSuccessInJson) {
  const auto partial = detail::parse_partial_success(
      R"({"partialSuccess":{"rejectedSpans":"12","errorMessage":"quota \"x\""}})",
      OtlpProtocol::kHttpJson);
  EXPECT_EQ(partial.rejected_spans, 12);
  EXPECT_EQ(partial.error_message, "quota \"x\"");
  EXPECT_EQ(detail::parse_partial_success("{}", OtlpProtocol::kHttpJson).rejected_spans, 0);
  EXPECT_EQ(
      detail::parse_partial_success("\xff\xff garbage", OtlpProtocol::kHttpProtobuf).rejected_spans,
      0);
}

TEST(RetryPolicy, RetryableStatusesAreTheSpecificationsOnes) {
  for (long status : {0L, 429L, 502L, 503L, 504L}) EXPECT_TRUE(detail::is_retryable_status(status));
  for (long status : {200L, 400L, 401L, 404L, 413L, 500L, 501L}) {
    EXPECT_FALSE(detail::is_retryable_status(status)) << status;
  }
}

TEST(RetryPolicy, BackoffDoublesUpToTheCapWithJitterBetweenHalfAndAll) {
  const milliseconds initial(100), max(1000);
  EXPECT_EQ(detail::backoff_delay(0, initial, max, 0.999999), milliseconds(99));
  EXPECT_EQ(detail::backoff_delay(0, initial, max, 0.0), milliseconds(50));
  EXPECT_EQ(detail::backoff_delay(2, initial, max, 0.0), milliseconds(200));
  EXPECT_EQ(detail::backoff_delay(10, initial, max, 0.0), milliseconds(500));
  EXPECT_EQ(detail::backoff_delay(60, initial, max, 0.0), milliseconds(500));
}

TEST(RetryPolicy, RetryAfterAcceptsSecondsAndHttpDates) {
  const auto now = std::chrono::system_clock::from_time_t(1445412400);  // 07:26:40 GMT
  EXPECT_EQ(detail::parse_retry_after(" 3 ", now), milliseconds(3000));
  EXPECT_EQ(detail::parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now), milliseconds(80000));
  EXPECT_EQ(detail::parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now), milliseconds(0));
  EXPECT_EQ(detail::parse_retry_after("soon", now), std::nullopt);
  EXPECT_EQ(detail::parse_retry_after("-1", now), std::nullopt);
}

TEST(Gzip, RoundTripsAndRefusesBombsAndGarbage) {
  const std::string original(100000, 'z');
  std::string compressed, inflated;
  ASSERT_TRUE(detail::gzip_compress(original, compressed));
  EXPECT_LT(compressed.size(), 1000u);
  EXPECT_EQ(detail::gzip_decompress(compressed, original.size(), inflated),
            detail::GunzipResult::kOk);
  EXPECT_EQ(inflated, original);
  EXPECT_EQ(detail::gzip_decompress(compressed, original.size() - 1, inflated),
            detail::GunzipResult::kTooLarge);
  EXPECT_EQ(detail::gzip_decompress("not gzip at all", 1000, inflated),
            detail::GunzipResult::kMalformed);
  EXPECT_EQ(detail::gzip_decompress(std::string_view(compressed).substr(0, compressed.size() / 2),
                                    original.size(), inflated),
            detail::GunzipResult::kMalformed);
}

// A body just under the limit is held in no more memory than the limit: the buffer's doubling
// stops there (else a 20 MiB limit cost 32 MiB per request).
TEST(Gzip, TheInflatedBufferNeverGrowsPastTheLimit) {
  const std::size_t limit = 3 * 1024 * 1024 + 12345;
  const std::string original(limit, 'q');
  std::string compressed, inflated;
  ASSERT_TRUE(detail::gzip_compress(original, compressed));
  ASSERT_EQ(detail::gzip_decompress(compressed, limit, inflated), detail::GunzipResult::kOk);
  EXPECT_EQ(inflated.size(), limit);
  EXPECT_LE(inflated.capacity(), limit);
  std::string refused;
  EXPECT_EQ(detail::gzip_decompress(compressed, limit - 1, refused),
            detail::GunzipResult::kTooLarge);
  EXPECT_LE(refused.capacity(), limit - 1);
}

}  // namespace
}  // namespace weft
