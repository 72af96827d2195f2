// The OTLP/HTTP exporter. It runs on the batch processor's export thread: encoding, compressing,
// posting and waiting between retries all happen there, never on an application thread. The
// request body and encoder scratch are members, reused from one export to the next.
#include "export/otlp_http_exporter.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <random>

#include "config/env_values.h"
#include "diagnostics/counters.h"
#include "diagnostics/log.h"
#include "export/export_time_limit.h"
#include "export/final_drain.h"
#include "export/fresh_in_child.h"
#include "export/gzip.h"
#include "export/header_fields.h"
#include "export/otlp_json.h"
#include "export/otlp_proto.h"
#include "export/proto_reader.h"
#include "export/retry_policy.h"
#include "runtime/ascii_case.h"

#ifndef WEFT_VERSION
#define WEFT_VERSION "unknown"
#endif

namespace weft {
namespace detail {
namespace {

using Clock = std::chrono::steady_clock;

// Durations set in code are bounded as the environment's are: a timeout of zero or less, or one
// longer than kIndefiniteTimeout (about 24.8 days), is that longest one, and backoffs are kept
// within it, so no deadline computed from them overflows the clock.
OtlpHttpOptions with_usable_durations(OtlpHttpOptions options) noexcept {
  const auto bounded = [](std::chrono::milliseconds duration) {
    return std::clamp(duration, std::chrono::milliseconds(0), kIndefiniteTimeout);
  };
  if (options.timeout <= std::chrono::milliseconds(0)) options.timeout = kIndefiniteTimeout;
  options.timeout = bounded(options.timeout);
  options.initial_backoff = bounded(options.initial_backoff);
  options.max_backoff = bounded(options.max_backoff);
  return options;
}

bool has_header(const std::vector<std::pair<std::string, std::string>>& headers,
                std::string_view lowercase_name) {
  for (const auto& [name, value] : headers) {
    if (equals_ignoring_case(name, lowercase_name)) return true;
  }
  return false;
}

// `text` for a log line: control characters shown as '?'.
std::string printable(std::string_view text) {
  std::string shown(text);
  for (char& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return shown;
}

// The user's headers that can be sent: a name that is not a token or a value with a control
// character is left out with a warning (it would corrupt the request), and so are the headers
// that describe the body (Content-Type, -Encoding, -Length, Transfer-Encoding): the exporter's.
std::vector<std::pair<std::string, std::string>> sendable_headers(
    const std::vector<std::pair<std::string, std::string>>& headers) {
  std::vector<std::pair<std::string, std::string>> kept;
  for (const auto& [name, value] : headers) {
    if (!is_header_name(name) || !is_header_value(value)) {
      log_warning("OTLP exporter: header \"" + printable(name) +
                  "\" is not sent: its name or value is not valid in HTTP");
    } else if (equals_ignoring_case(name, "content-type") ||
               equals_ignoring_case(name, "content-encoding") ||
               equals_ignoring_case(name, "content-length") ||
               equals_ignoring_case(name, "transfer-encoding")) {
      log_warning("OTLP exporter: header \"" + name +
                  "\" is not sent: the exporter sets it to what the request holds");
    } else {
      kept.emplace_back(name, value);
    }
  }
  return kept;
}

std::string describe(const HttpResponse& response) {
  if (response.status == 0) return response.error.empty() ? "no response" : response.error;
  std::string text = "HTTP " + std::to_string(response.status);
  if (!response.body.empty() && response.body.size() < 200 &&
      response.body.find('\0') == std::string::npos) {
    text += " (" + response.body + ")";
  }
  return text;
}

class OtlpHttpExporter final : public SpanExporter,
                               public FinalDrainAware,
                               public FreshInChild,
                               public ExportTimeLimitable {
 public:
  OtlpHttpExporter(OtlpHttpOptions options, std::unique_ptr<HttpTransport> transport)
      : options_(with_usable_durations(std::move(options))),
        transport_(std::move(transport)),
        random_(std::random_device{}()) {
    request_.url = options_.endpoint;
    request_.certificate_file = options_.certificate_file;
    request_.client_certificate_file = options_.client_certificate_file;
    request_.client_key_file = options_.client_key_file;
    request_.headers = sendable_headers(options_.headers);
    request_.headers.emplace_back("Content-Type", options_.protocol == OtlpProtocol::kHttpJson
                                                      ? "application/json"
                                                      : "application/x-protobuf");
    if (options_.gzip) request_.headers.emplace_back("Content-Encoding", "gzip");
    // The specification asks for the exporter, its language and its version; a User-Agent the
    // user configured (OTEL_EXPORTER_OTLP_HEADERS) is sent instead.
    if (!has_header(request_.headers, "user-agent")) {
      request_.headers.emplace_back("User-Agent", "OTel-OTLP-Exporter-Cpp/" WEFT_VERSION " (weft)");
    }
  }

  ExportResult export_spans(const std::vector<const SpanData*>& spans) noexcept override {
    if (cancel_.load(std::memory_order_relaxed)) return ExportResult::kFailure;
    if (spans.empty()) return ExportResult::kSuccess;
    try {
      if (!encode(spans)) return failed("could not compress the request");
      return send(spans.size());
    } catch (...) {
      return failed("out of memory while encoding");
    }
  }

  // The same options over a new connection: this one's may be mid-request in the parent.
  std::unique_ptr<SpanExporter> make_for_child() const override {
    std::string error;
    std::unique_ptr<HttpTransport> transport = make_curl_transport(&error);
    if (!transport) {
      log_error("otlp exporter: the forked process has no exporter: " + error);
      return nullptr;
    }
    auto exporter = std::make_unique<OtlpHttpExporter>(options_, std::move(transport));
    exporter->timeout_ = timeout_;
    return exporter;
  }

  // The batch processor's export timeout, when shorter than the exporter's own. Called before the
  // first export, on the thread that made the processor.
  void limit_each_export(std::chrono::milliseconds limit) noexcept override {
    if (limit > std::chrono::milliseconds(0)) timeout_ = std::min(timeout_, limit);
  }

  // Called by the batch processor's shutdown, on any thread, while an export may be running.
  void begin_final_drain() noexcept override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (draining_.load(std::memory_order_relaxed)) return;
      outage_at_drain_.store(outage_.load(std::memory_order_acquire), std::memory_order_release);
      drain_deadline_.store(Clock::now() + timeout_, std::memory_order_relaxed);
      draining_.store(true, std::memory_order_release);
    }
    wake_.notify_all();
  }

  bool shutdown(std::chrono::milliseconds) noexcept override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      cancel_.store(true, std::memory_order_relaxed);
    }
    wake_.notify_all();
    return true;
  }

 private:
  bool encode(const std::vector<const SpanData*>& spans) {
    body_.clear();
    if (options_.protocol == OtlpProtocol::kHttpJson) {
      append_otlp_json_request(body_, spans);
    } else {
      encoder_.append_request(body_, spans);
    }
    if (!options_.gzip) {
      request_.body = &body_;
      return true;
    }
    request_.body = &compressed_;
    return gzip_compress(body_, compressed_);
  }

  // In the final drain (shutdown, and so exit), a collector that is already known not to answer
  // gets one attempt per batch and no retries: a program ending with N batches queued and its
  // collector down waited N export timeouts to exit (5,000 spans: 30 s, then the shutdown gave
  // up). "Known" is: it was failing when the drain began (a batch was between retries, which the
  // drain then stops), or a batch of the drain has given up. A healthy collector's first failure
  // in the drain is still retried until the timeout. Outside the drain every batch retries, so a
  // collector that restarts costs no more than the spans that did not fit the queue meanwhile.
  bool may_retry() const noexcept {
    return !draining_.load(std::memory_order_acquire) ||
           (!outage_at_drain_.load(std::memory_order_acquire) && !drain_gave_up_);
  }

  // Once a collector is known not to answer in the final drain, every attempt also ends by one
  // timeout after the drain began: a collector that accepts connections and never answers would
  // otherwise cost one whole timeout per queued batch (N batches, N x 10 s to exit).
  Clock::time_point deadline_now(Clock::time_point batch_deadline) const noexcept {
    if (may_retry()) return batch_deadline;
    return std::min(batch_deadline, drain_deadline_.load(std::memory_order_relaxed));
  }

  ExportResult send(std::size_t span_count) {
    const Clock::time_point batch_deadline = Clock::now() + timeout_;
    for (unsigned retry = 0;; ++retry) {
      const Clock::time_point deadline = deadline_now(batch_deadline);
      const auto remaining =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (remaining.count() <= 0) {
        if (retry == 0) return gave_up("not sent: the collector did not answer in the final drain");
        return gave_up("timed out after " + std::to_string(retry) + " attempts");
      }
      const HttpResponse response = transport_->post(request_, remaining, cancel_);
      if (response.status >= 200 && response.status < 300) return succeeded(response, span_count);
      if (cancel_.load(std::memory_order_relaxed)) return failed("cancelled by shutdown");
      if (!is_retryable_status(response.status)) {
        return failed(describe(response) + ", not retryable");
      }
      outage_.store(true, std::memory_order_release);
      if (!may_retry()) return gave_up(describe(response) + "; not retried in the final drain");
      std::chrono::milliseconds delay =
          backoff_delay(retry, options_.initial_backoff, options_.max_backoff, unit_(random_));
      if (response.retry_after) {
        if (auto asked =
                parse_retry_after(*response.retry_after, std::chrono::system_clock::now())) {
          delay = std::max(delay, *asked);
        }
      }
      if (Clock::now() + delay >= deadline) {
        return gave_up(describe(response) + "; no time left to retry within " +
                       std::to_string(timeout_.count()) + " ms");
      }
      if (!sleep_unless_cancelled(delay)) return failed("cancelled by shutdown");
      if (!may_retry()) return gave_up(describe(response) + "; not retried in the final drain");
    }
  }

  // A failure after retrying a collector that did not answer or said "retry later".
  ExportResult gave_up(const std::string& reason) noexcept {
    if (draining_.load(std::memory_order_relaxed)) drain_gave_up_ = true;
    return failed(reason);
  }

  // False when cancelled. The start of a final drain that stops retries ends the wait too.
  bool sleep_unless_cancelled(std::chrono::milliseconds delay) {
    std::unique_lock<std::mutex> lock(mutex_);
    wake_.wait_for(lock, delay, [this] {
      return cancel_.load(std::memory_order_relaxed) || !may_retry();
    });
    return !cancel_.load(std::memory_order_relaxed);
  }

  ExportResult succeeded(const HttpResponse& response, std::size_t span_count) {
    outage_.store(false, std::memory_order_release);
    if (failing_) {
      log(LogLevel::kInfo, "otlp exporter: export to " + options_.endpoint + " works again");
      failing_ = false;
    }
    const PartialSuccess partial = parse_partial_success(response.body, options_.protocol);
    if (partial.rejected_spans > 0) {
      count(counters().spans_rejected_by_collector,
            static_cast<std::uint64_t>(partial.rejected_spans));
      log_warning("otlp exporter: the collector rejected " +
                  std::to_string(partial.rejected_spans) + " of " + std::to_string(span_count) +
                  " spans" + (partial.error_message.empty() ? "" : ": " + partial.error_message));
    } else if (!partial.error_message.empty()) {
      log_warning("otlp exporter: the collector says: " + partial.error_message);
    }
    return ExportResult::kSuccess;
  }

  // One warning when exports start failing, then quiet until they work again: a missing
  // collector must not flood the application's stderr. Every lost span is counted by the
  // processor in Diagnostics::spans_export_failed.
  ExportResult failed(const std::string& reason) noexcept {
    const LogLevel level = failing_ ? LogLevel::kDebug : LogLevel::kWarning;
    failing_ = true;
    try {
      log(level, "otlp exporter: export to " + options_.endpoint + " failed: " + reason +
                     " (further failures are counted in weft::diagnostics() until export works "
                     "again)");
    } catch (...) {
    }
    return ExportResult::kFailure;
  }

  const OtlpHttpOptions options_;  // as made: make_for_child() reads it in a forked child
  // How long one export may take, retries included: the options' timeout, or the batch
  // processor's export timeout when shorter (limit_each_export).
  std::chrono::milliseconds timeout_ = options_.timeout;
  std::unique_ptr<HttpTransport> transport_;
  OtlpProtoEncoder encoder_;
  std::string body_;
  std::string compressed_;
  HttpRequest request_;
  std::mt19937_64 random_;
  std::uniform_real_distribution<double> unit_{0.0, 1.0};
  bool failing_ = false;
  std::atomic<bool> outage_{false};           // an attempt failed retryably since the last success
  std::atomic<bool> draining_{false};         // the final drain has begun
  std::atomic<Clock::time_point> drain_deadline_{Clock::time_point::max()};  // its start + timeout
  std::atomic<bool> outage_at_drain_{false};  // ... while outage_ was set
  bool drain_gave_up_ = false;                // a batch of the final drain gave up
  std::atomic<bool> cancel_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
};

// Reads `"name"` followed by ':' and a number that may be quoted (OTLP/JSON writes int64 as a
// string). A full JSON parser is not needed for two fields of a response that is usually empty.
std::int64_t json_integer_after(std::string_view body, std::string_view name) {
  const std::size_t found = body.find(name);
  if (found == std::string_view::npos) return 0;
  std::size_t position = found + name.size();
  while (position < body.size() && (body[position] == ' ' || body[position] == ':' ||
                                    body[position] == '"' || body[position] == '\t')) {
    ++position;
  }
  std::int64_t value = 0;
  while (position < body.size() && body[position] >= '0' && body[position] <= '9' &&
         value < INT64_MAX / 10) {
    value = value * 10 + (body[position++] - '0');
  }
  return value;
}

std::string json_string_after(std::string_view body, std::string_view name) {
  const std::size_t found = body.find(name);
  if (found == std::string_view::npos) return {};
  const std::size_t open = body.find('"', body.find(':', found + name.size()));
  if (open == std::string_view::npos) return {};
  std::string text;
  for (std::size_t position = open + 1; position < body.size() && body[position] != '"';
       ++position) {
    if (body[position] == '\\' && position + 1 < body.size()) ++position;
    text.push_back(body[position]);
  }
  return text;
}

}  // namespace

PartialSuccess parse_partial_success(std::string_view body, OtlpProtocol protocol) {
  PartialSuccess result;
  if (protocol == OtlpProtocol::kHttpJson) {
    result.rejected_spans = json_integer_after(body, "\"rejectedSpans\"");
    result.error_message = json_string_after(body, "\"errorMessage\"");
    return result;
  }
  ProtoReader response(body);
  while (response.next()) {
    if (response.field() != 1 || response.wire_type() != 2) continue;  // partial_success
    ProtoReader partial(response.bytes());
    while (partial.next()) {
      if (partial.field() == 1 && partial.wire_type() == 0) {
        result.rejected_spans = static_cast<std::int64_t>(partial.value());
      } else if (partial.field() == 2 && partial.wire_type() == 2) {
        result.error_message = std::string(partial.bytes());
      }
    }
  }
  return result;
}

std::unique_ptr<SpanExporter> make_otlp_http_exporter(OtlpHttpOptions options,
                                                      std::unique_ptr<HttpTransport> transport) {
  return std::make_unique<OtlpHttpExporter>(std::move(options), std::move(transport));
}

}  // namespace detail

std::unique_ptr<SpanExporter> make_otlp_http_exporter(OtlpHttpOptions options) {
  std::string error;
  auto transport = detail::make_curl_transport(&error);
  if (transport == nullptr) {
    detail::log_error("otlp exporter: " + error);
    return nullptr;
  }
  return detail::make_otlp_http_exporter(std::move(options), std::move(transport));
}

}  // namespace weft
