// The OTLP exporter against a misbehaving collector: a real HTTP server on 127.0.0.1 that is
// down, answers 503, hangs, or answers 400. The application's threads must never wait, memory must
// stay bounded by the queue, every lost span must be counted, and export must resume once the
// collector recovers.
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "sanitizer_support.h"
#include "test_provider.h"
#include "trace_service.pb.h"
#include "weft/diagnostics.h"
#include "weft/otlp_exporter.h"
#include "weft/tracer.h"

namespace weft {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// A collector whose answer is chosen per request by `behaviour` (given the request's number).
class TestCollector {
 public:
  using Behaviour = std::function<void(int request_number, httplib::Response&)>;

  explicit TestCollector(Behaviour behaviour, int port = 0) : behaviour_(std::move(behaviour)) {
    server_.set_keep_alive_timeout(1);  // stopping waits for idle connections this long
    server_.Post("/v1/traces",
                 [this](const httplib::Request& request, httplib::Response& response) {
                   const int number = requests_.fetch_add(1);
      {
        std::lock_guard<std::mutex> lock(ports_mutex_);
        remote_ports_.push_back(request.remote_port);
      }
                   opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest decoded;
                   if (decoded.ParseFromString(request.body)) {
                     std::size_t spans = 0;
                     for (const auto& resource : decoded.resource_spans()) {
                       for (const auto& scope : resource.scope_spans()) spans += scope.spans_size();
                     }
                     pending_spans_.fetch_add(spans);
                   }
                   response.status = 200;
                   behaviour_(number, response);
                   if (response.status == 200)
                     received_spans_.fetch_add(pending_spans_.exchange(0));
                   pending_spans_.store(0);
                 });
    port_ = port == 0 ? server_.bind_to_any_port("127.0.0.1")
                      : (server_.bind_to_port("127.0.0.1", port) ? port : -1);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~TestCollector() {
    server_.stop();
    thread_.join();
  }

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1/traces"; }
  int requests() const { return requests_.load(); }
  std::size_t received_spans() const { return received_spans_.load(); }
  // The client port of each request, in order: one port per connection.
  std::vector<int> remote_ports() {
    std::lock_guard<std::mutex> lock(ports_mutex_);
    return remote_ports_;
  }

 private:
  Behaviour behaviour_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = -1;
  std::atomic<int> requests_{0};
  std::atomic<std::size_t> pending_spans_{0};
  std::atomic<std::size_t> received_spans_{0};
  std::mutex ports_mutex_;
  std::vector<int> remote_ports_;
};

// A port on 127.0.0.1 that nothing listens on (bound once, then released).
int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

struct ExportingApp {
  std::unique_ptr<TracerProvider> provider;
  Tracer tracer;
  std::vector<std::string> warnings;

  ExportingApp(const std::string& url, milliseconds otlp_timeout, std::size_t queue_size = 256,
               milliseconds export_timeout = milliseconds(30000))
      : provider(make_provider(url, otlp_timeout, queue_size, export_timeout)),
        tracer(provider->tracer("fault")) {
    set_log_handler([this](LogLevel level, std::string_view message) {
      std::lock_guard<std::mutex> lock(mutex);
      if (level >= LogLevel::kWarning) warnings.emplace_back(message);
    });
  }
  ~ExportingApp() {
    provider->shutdown(milliseconds(5000));
    set_log_handler({});
  }

  static std::unique_ptr<TracerProvider> make_provider(const std::string& url,
                                                       milliseconds otlp_timeout,
                                                       std::size_t queue_size,
                                                       milliseconds export_timeout) {
    OtlpHttpOptions otlp;
    otlp.endpoint = url;
    otlp.timeout = otlp_timeout;
    otlp.initial_backoff = milliseconds(20);
    otlp.max_backoff = milliseconds(100);
    BatchOptions batch;
    batch.max_queue_size = queue_size;
    batch.max_export_batch_size = 64;
    batch.schedule_delay = milliseconds(20);
    batch.export_timeout = export_timeout;
    Options options;
    options.processors.push_back(make_batch_processor(make_otlp_http_exporter(otlp), batch));
    return std::make_unique<TracerProvider>(
        finalize_config(std::move(options), testing::fake_environment({})));
  }

  // Ends `count` spans on this thread and returns the longest any one start+end took.
  Clock::duration end_spans(int count) {
    Clock::duration longest{0};
    for (int index = 0; index < count; ++index) {
      const auto start = Clock::now();
      tracer.start_span("work").end();
      longest = std::max(longest, Clock::now() - start);
    }
    return longest;
  }

  // Warnings from the exporter (the queue has its own, once).
  std::size_t exporter_warning_count() {
    std::lock_guard<std::mutex> lock(mutex);
    return std::count_if(warnings.begin(), warnings.end(), [](const std::string& warning) {
      return warning.rfind("otlp exporter", 0) == 0;
    });
  }

  std::mutex mutex;
};

// The longest an application thread may spend ending one span, even under the sanitizers: far
// below any network timeout used here.
constexpr milliseconds kNeverBlocked{100};

bool wait_until(const std::function<bool()>& condition, milliseconds limit = milliseconds(10000)) {
  const auto deadline = Clock::now() + limit;
  while (!condition()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return true;
}

// A collector's behaviour: every request hangs until `release` is set, or for `max_wait` at most
// (so that a failed test does not hang its collector's shutdown).
TestCollector::Behaviour hang_until_released(const std::atomic<bool>& release,
                                             milliseconds max_wait) {
  return [&release, max_wait](int, httplib::Response&) {
    const auto deadline = Clock::now() + max_wait;
    while (!release.load() && Clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(10));
    }
  };
}

TEST(OtlpFaults, CollectorDownAtStartThenUpExportResumes) {
  reset_diagnostics();
  const int port = free_port();
  ASSERT_GT(port, 0);
  ExportingApp app("http://127.0.0.1:" + std::to_string(port) + "/v1/traces", milliseconds(200),
                   /*queue_size=*/100);
  // Many more spans than the queue holds, while nobody listens.
  EXPECT_LT(app.end_spans(5000), kNeverBlocked);
  ASSERT_TRUE(wait_until([] { return diagnostics().spans_export_failed > 0; }));
  const Diagnostics during = diagnostics();
  // Bounded memory: what did not fit the queue was dropped and counted, not kept.
  EXPECT_GE(during.spans_dropped_queue_full + during.spans_export_failed + 100 + 64, 5000u);
  EXPECT_GT(during.spans_dropped_queue_full, 0u);
  EXPECT_EQ(app.exporter_warning_count(), 1u) << "one warning for the outage, not one per batch: "
                                              << ::testing::PrintToString(app.warnings);

  TestCollector collector([](int, httplib::Response&) {}, port);
  ASSERT_EQ(collector.port(), port);
  app.end_spans(50);
  ASSERT_TRUE(wait_until([&] { return collector.received_spans() >= 50; }))
      << "received " << collector.received_spans();
  // The exporter counts a batch once the collector's answer is back, a moment after the collector
  // has read the request.
  EXPECT_TRUE(wait_until([] { return diagnostics().spans_exported >= 50u; }))
      << "exported " << diagnostics().spans_exported;
}

TEST(OtlpFaults, Collector503ThenRecoversNothingIsLost) {
  reset_diagnostics();
  TestCollector collector([](int number, httplib::Response& response) {
    if (number < 3) {
      response.status = 503;
      response.set_header("Retry-After", "0");
    }
  });
  ExportingApp app(collector.url(), milliseconds(5000));
  EXPECT_LT(app.end_spans(40), kNeverBlocked);
  ASSERT_TRUE(app.provider->force_flush(milliseconds(10000)));
  EXPECT_EQ(collector.received_spans(), 40u);
  EXPECT_GE(collector.requests(), 4);
  EXPECT_EQ(diagnostics().spans_export_failed, 0u);
  EXPECT_EQ(diagnostics().spans_exported, 40u);
}

TEST(OtlpFaults, CollectorHangingPastTheTimeoutNeitherBlocksNorHoldsTheApp) {
  reset_diagnostics();
  std::atomic<bool> release{false};
  TestCollector collector(hang_until_released(release, milliseconds(3000)));
  {
    ExportingApp app(collector.url(), milliseconds(300));
    EXPECT_LT(app.end_spans(200), kNeverBlocked);
    ASSERT_TRUE(wait_until([] { return diagnostics().spans_export_failed > 0; }));
    EXPECT_LT(app.end_spans(200), kNeverBlocked);
    const auto start = Clock::now();
    app.provider->shutdown(milliseconds(2000));
    EXPECT_LT(Clock::now() - start, milliseconds(2500));
  }
  release.store(true);
  EXPECT_GT(diagnostics().spans_export_failed, 0u);
}

// OTEL_BSP_EXPORT_TIMEOUT bounds an export as the specification says ("how long the export can
// run before it is cancelled"), also when the exporter's own timeout is longer.
TEST(OtlpFaults, TheBatchExportTimeoutBoundsAnExportWhenShorterThanTheExporters) {
  reset_diagnostics();
  std::atomic<bool> release{false};
  TestCollector collector(hang_until_released(release, milliseconds(10000)));
  {
    ExportingApp app(collector.url(), milliseconds(20000), 256, milliseconds(300));
    const auto start = Clock::now();
    app.end_spans(10);
    EXPECT_TRUE(app.provider->force_flush(milliseconds(5000)));
    EXPECT_LT(Clock::now() - start, milliseconds(3000)) << "the 20 s OTLP timeout was used";
    EXPECT_EQ(diagnostics().spans_export_failed, 10u);
    release.store(true);
  }
}

TEST(OtlpFaults, Collector400IsNotRetriedAndTheSpansAreCountedAsFailed) {
  reset_diagnostics();
  TestCollector collector([](int, httplib::Response& response) {
    response.status = 400;
    response.set_content("bad request", "text/plain");
  });
  ExportingApp app(collector.url(), milliseconds(5000));
  app.end_spans(10);
  ASSERT_TRUE(app.provider->force_flush(milliseconds(5000)));
  EXPECT_EQ(collector.requests(), 1);
  EXPECT_EQ(diagnostics().spans_export_failed, 10u);
  EXPECT_EQ(diagnostics().spans_exported, 0u);
  ASSERT_EQ(app.exporter_warning_count(), 1u);
  EXPECT_NE(app.warnings[0].find("HTTP 400 (bad request), not retryable"), std::string::npos)
      << app.warnings[0];
}

}  // namespace
}  // namespace weft

namespace weft {
namespace {

// A fork() while an export waits on a collector that does not answer: fork() does not wait for
// that export (it once waited up to 2 s), and the child, whose copy of the exporter is mid-request
// in a thread it does not have, exports its own spans through a new exporter.
TEST(OtlpFaults, AForkDuringAHangingExportIsNotHeldAndTheChildStillExports) {
  WEFT_SKIP_WHEN_FORKED_CHILDREN_START_THREADS();  // the child starts its own export thread
  reset_diagnostics();
  std::atomic<bool> release{false};
  TestCollector collector([&](int request, httplib::Response&) {
    for (int waited = 0; request == 0 && waited < 500 && !release.load(); ++waited) {
      std::this_thread::sleep_for(milliseconds(10));
    }
  });
  {
    ExportingApp app(collector.url(), milliseconds(8000));
    app.end_spans(1);
    ASSERT_TRUE(wait_until([&] { return collector.requests() == 1; }));  // the export hangs
    const auto start = Clock::now();
    const pid_t child = fork();
    const auto fork_took = Clock::now() - start;
    ASSERT_GE(child, 0);
    if (child == 0) {
      app.tracer.start_span("in-child").end();
      const bool flushed = app.provider->force_flush(milliseconds(5000));
      _exit(flushed && diagnostics().spans_exported == 1 ? 0 : 1);
    }
    EXPECT_LT(fork_took, milliseconds(1000));
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "the child's span was not exported";
    EXPECT_EQ(collector.requests(), 2) << "the hanging one, and the child's";
    release.store(true);
  }
}

TEST(OtlpFaults, AForkedChildExportsOverItsOwnConnection) {
  WEFT_SKIP_WHEN_FORKED_CHILDREN_START_THREADS();  // the child starts its own export thread
  TestCollector collector([](int, httplib::Response&) {});
  OtlpHttpOptions otlp;
  otlp.endpoint = collector.url();
  auto exporter = make_otlp_http_exporter(otlp);
  SpanData span;
  span.context.trace_id = TraceId::from_words(1, 1);
  span.context.span_id = SpanId::from_word(1);
  span.name = "before-fork";
  ASSERT_EQ(exporter->export_spans({&span}), ExportResult::kSuccess);  // keeps a connection open

  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    span.name = "in-child";
    _exit(exporter->export_spans({&span}) == ExportResult::kSuccess ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  span.name = "after-fork";
  EXPECT_EQ(exporter->export_spans({&span}), ExportResult::kSuccess);
  EXPECT_EQ(collector.requests(), 3);
  EXPECT_EQ(collector.received_spans(), 3u);
  const std::vector<int> ports = collector.remote_ports();
  ASSERT_EQ(ports.size(), 3u);
  EXPECT_NE(ports[1], ports[0]) << "the child must not reuse the parent's connection";
  EXPECT_EQ(ports[2], ports[0]) << "the parent keeps its connection";
}

}  // namespace
}  // namespace weft
