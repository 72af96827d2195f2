// weft collect: a local OTLP/HTTP receiver. POST /v1/traces with a protobuf or JSON body (gzip
// accepted) is appended to an OTLP/JSON lines file that `weft view` reads, and optionally
// forwarded to an upstream collector. SIGINT or SIGTERM stop it after the requests in progress
// are answered (waiting kStopGrace at most) and the file is flushed; a second signal stops it at
// once, between two lines of the file.
#include <httplib.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <iostream>
#include <mutex>
#include <system_error>
#include <thread>

#include "commands.h"
#include "config/otlp_config.h"
#include "export/gzip.h"
#include "forwarder.h"
#include "otlp_receiver.h"
#include "runtime/ascii_case.h"
#include "trace_sink.h"

namespace weft::cli {
namespace {

struct CollectOptions {
  std::string host = "127.0.0.1";
  int port = 4318;
  std::string output = "weft-traces.jsonl";
  std::string forward;  // upstream base URL or full /v1/traces URL; empty: no forwarding
  int forward_timeout_ms = 10000;  // one forwarded request; also what a stop gives the queue
  // After decompression. The OpenTelemetry Collector allows 20 MiB; an exporter's batch of 512
  // spans is far below either.
  std::size_t max_body_bytes = 16 * 1024 * 1024;
};

// How long a stop waits for the requests in progress. A client that sends its headers a line at a
// time holds its worker for as long as it keeps sending (httplib's read timeout is per read), so
// the wait cannot be left to the clients.
constexpr std::chrono::seconds kStopGrace{5};

struct Totals {
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> spans{0};
  std::atomic<std::uint64_t> rejected{0};
  std::atomic<std::uint64_t> lines{0};  // a request without spans writes none
  std::atomic<std::uint64_t> forward_failures{0};
};

// What to do with a body, by its Content-Encoding (compared case-insensitively; RFC 9110 asks that
// "x-gzip" be taken as gzip). A compressed body is inflated here, never by httplib: httplib 0.11
// inflates a body sent as exactly "gzip" or "deflate" as it reads it, but never checks that the
// stream ended, so a truncated body was taken as complete (200, and part of its spans stored).
// gzip_decompress() checks the stream's end and trailer.
enum class BodyEncoding { kAsRead, kInflateHere, kUnsupported };

BodyEncoding body_encoding(const std::string& encoding) {
  if (encoding.empty() || detail::equals_ignoring_case(encoding, "identity")) {
    return BodyEncoding::kAsRead;
  }
  if (detail::equals_ignoring_case(encoding, "gzip") ||
      detail::equals_ignoring_case(encoding, "x-gzip") ||
      detail::equals_ignoring_case(encoding, "deflate")) {
    return BodyEncoding::kInflateHere;
  }
  return BodyEncoding::kUnsupported;
}

// Makes httplib hand the body over as it came: it looks for Content-Encoding when the body is
// read. The request is httplib's own, not a constant: only its handler's view of it is.
void keep_httplib_from_inflating(const httplib::Request& request) {
  const_cast<httplib::Request&>(request).headers.erase("Content-Encoding");
}

// Reads a refused body and drops it, up to `limit` bytes, so that the connection can carry the
// client's next request.
void discard_body(const httplib::ContentReader& content_reader, std::size_t limit) {
  std::size_t read = 0;
  content_reader([&](const char* /*data*/, std::size_t length) {
    read += length;
    return read <= limit;
  });
}

// One thread per connection, up to `max_threads` at once; beyond that, connections wait for one to
// be free. httplib reads a request with a timeout per read, not per request, so a client sending a
// header line every few seconds holds its thread for as long as it likes: a fixed pool of 64 was
// emptied by as many such clients and nobody else was answered. Threads start when needed and end
// when no connection waits, so the higher limit costs nothing while idle.
class ConnectionThreads : public httplib::TaskQueue {
 public:
  explicit ConnectionThreads(std::size_t max_threads) : max_threads_(max_threads) {}

  void enqueue(std::function<void()> connection) override {
    std::lock_guard<std::mutex> lock(mutex_);
    waiting_.push_back(std::move(connection));
    if (running_ == max_threads_) return;
    try {
      std::thread([this] { serve_waiting(); }).detach();
      ++running_;
    } catch (const std::system_error&) {
      // No thread to be had now: the connection waits for a running one, or for the next start.
    }
  }

  // Waits until every connection taken has been served.
  void shutdown() override {
    std::unique_lock<std::mutex> lock(mutex_);
    idle_.wait(lock, [this] { return running_ == 0 && waiting_.empty(); });
  }

 private:
  void serve_waiting() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!waiting_.empty()) {
      std::function<void()> connection = std::move(waiting_.front());
      waiting_.pop_front();
      lock.unlock();
      connection();
      lock.lock();
    }
    // The last thing this thread does with `this`: shutdown() may destroy it once unlocked.
    if (--running_ == 0) idle_.notify_all();
  }

  const std::size_t max_threads_;
  std::mutex mutex_;
  std::condition_variable idle_;
  std::deque<std::function<void()>> waiting_;
  std::size_t running_ = 0;
};

void handle_traces(const httplib::Request& request, httplib::Response& response,
                   const httplib::ContentReader& content_reader, const CollectOptions& options,
                   TraceSink& sink, Forwarder* forwarder, Totals& totals) {
  totals.requests.fetch_add(1, std::memory_order_relaxed);
  const std::string content_type = request.get_header_value("Content-Type");
  const std::string response_type = response_content_type(content_type);
  const bool json = response_type == "application/json";
  auto refuse = [&](int status, const std::string& message) {
    totals.rejected.fetch_add(1, std::memory_order_relaxed);
    ReceivedTraces refused;
    refused.status = status;
    refused.error = message;
    response.status = status;
    response.set_content(response_body(json, refused), response_type);
  };

  const std::string encoding = request.get_header_value("Content-Encoding");
  const BodyEncoding body_encoded = body_encoding(encoding);
  if (body_encoded == BodyEncoding::kUnsupported) {
    discard_body(content_reader, options.max_body_bytes);
    return refuse(415, "Content-Encoding \"" + encoding +
                           "\" is not supported: send the body with gzip, deflate or no encoding");
  }
  if (body_encoded == BodyEncoding::kInflateHere) keep_httplib_from_inflating(request);
  // The limit applies to the body as sent, and again to what inflating it gives.
  std::string body;
  bool too_large = false;
  const bool read = content_reader([&](const char* data, std::size_t length) {
    if (body.size() + length > options.max_body_bytes) {
      too_large = true;
      return false;
    }
    body.append(data, length);
    return true;
  });
  if (too_large) {
    return refuse(413,
                  "the body is larger than " + std::to_string(options.max_body_bytes) + " bytes");
  }
  if (!read) return refuse(400, "the body could not be read (truncated, or bad compression)");
  if (body_encoded == BodyEncoding::kInflateHere) {
    std::string inflated;
    switch (detail::gzip_decompress(body, options.max_body_bytes, inflated)) {
      case detail::GunzipResult::kOk:
        body.swap(inflated);
        break;
      case detail::GunzipResult::kTooLarge:
        return refuse(413, "the body is larger than " + std::to_string(options.max_body_bytes) +
                               " bytes (after decompression)");
      case detail::GunzipResult::kMalformed:
        return refuse(400, "the body could not be inflated as " + encoding);
    }
  }

  const ReceivedTraces received = receive_traces(body, content_type);
  if (received.status != 200) return refuse(received.status, received.error);
  if (!received.line.empty() && !sink.append_line(received.line)) {
    totals.rejected.fetch_add(1, std::memory_order_relaxed);  // not stored: not accepted
    response.status = 503;  // the sender may retry once the disk has room again
    response.set_content(response_body(json, ReceivedTraces{503, sink.error(), {}, 0}),
                         response_type);
    std::cerr << "weft collect: " << sink.error() << '\n';
    return;
  }
  totals.spans.fetch_add(received.span_count, std::memory_order_relaxed);
  if (!received.line.empty()) totals.lines.fetch_add(1, std::memory_order_relaxed);
  response.status = 200;
  response.set_content(response_body(json, received), response_type);
  // Queued, not sent here: the upstream's answer (or silence) must not hold up this one.
  if (forwarder != nullptr && received.span_count > 0 && !forwarder->enqueue(body, content_type)) {
    if (totals.forward_failures.fetch_add(1, std::memory_order_relaxed) == 0) {
      std::cerr << "weft collect: the queue to " << options.forward
                << " is full; requests are not forwarded (the spans are still in "
                << options.output << ")\n";
    }
  }
}

void print_totals(const Totals& totals, const CollectOptions& options) {
  std::cout << "weft collect: stopped; " << totals.spans.load() << " spans in "
            << totals.requests.load() - totals.rejected.load() << " requests accepted ("
            << totals.lines.load() << " lines written to " << options.output << "), "
            << totals.rejected.load() << " requests refused" << std::endl;
}

// Waits for `signals` until `deadline`: true when one came, false when the deadline passed.
bool signal_before(const sigset_t& signals, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) return false;
    const auto left_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
    const timespec timeout{static_cast<time_t>(left_ns / 1'000'000'000),
                           static_cast<long>(left_ns % 1'000'000'000)};
    if (sigtimedwait(&signals, nullptr, &timeout) > 0) return true;
    if (errno != EINTR && errno != EAGAIN) return false;
  }
}

// How the collector stops: the signal thread's side and the main thread's side, which race when
// the last request is answered just as the grace period ends. Whichever comes first decides.
class Stopper {
 public:
  Stopper(const sigset_t& signals, httplib::Server& server, TraceSink& sink, const Totals& totals,
          const CollectOptions& options)
      : signals_(signals), server_(server), sink_(sink), totals_(totals), options_(options) {}

  // The signal thread. The first signal stops the server: no new connections, and the requests
  // in progress are answered. A second signal, or the end of the grace period, stops the process
  // without waiting for the rest.
  void wait_for_signals() {
    int signal_number = 0;
    sigwait(&signals_, &signal_number);
    if (!begin_graceful_stop()) return;
    const bool second_signal = signal_before(signals_, std::chrono::steady_clock::now() + kStopGrace);
    stop_now(second_signal);
  }

  // The main thread, once the server returned (unless the signal thread is exiting the process
  // already, which holds the lock): the signal thread is woken to end, whatever it waits for.
  void server_returned(std::thread& signal_thread) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      server_returned_ = true;
    }
    pthread_kill(signal_thread.native_handle(), SIGTERM);
  }

  bool stopping() const { return stopping_.load(); }

 private:
  bool begin_graceful_stop() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (server_returned_) return false;
    stopping_.store(true);
    server_.stop();
    return true;
  }

  // The file is closed between two lines (a request being written finishes its line first); the
  // workers still reading slow clients are not waited for. The lock is kept: the main thread,
  // should its server return meanwhile, must not print or exit as well.
  void stop_now(bool second_signal) {
    mutex_.lock();
    if (server_returned_) {
      mutex_.unlock();
      return;
    }
    sink_.close();
    std::cerr << "weft collect: "
              << (second_signal ? "second signal"
                                : "requests still in progress after " +
                                      std::to_string(kStopGrace.count()) + " s")
              << ": stopping without answering the connections still open\n";
    print_totals(totals_, options_);
    std::_Exit(0);
  }

  const sigset_t& signals_;
  httplib::Server& server_;
  TraceSink& sink_;
  const Totals& totals_;
  const CollectOptions& options_;
  std::mutex mutex_;
  bool server_returned_ = false;
  std::atomic<bool> stopping_{false};
};

int run_collect(const CollectOptions& options) {
  TraceSink sink(options.output);
  if (!sink.ok()) {
    std::cerr << "weft collect: " << sink.error() << '\n';
    return 2;
  }

  // The signals are taken by one thread with sigwait(); every other thread (the server's
  // included, which inherit this mask) keeps them blocked.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::unique_ptr<Forwarder> forwarder;  // its thread, made now, keeps the signals blocked too
  if (!options.forward.empty()) {
    const bool full_url = options.forward.find("/v1/traces") != std::string::npos;
    forwarder = std::make_unique<Forwarder>(
        full_url ? options.forward : detail::traces_url_from_base(options.forward),
        std::chrono::milliseconds(options.forward_timeout_ms));
  }

  Totals totals;
  constexpr std::size_t kMaxConnectionThreads = 1000;
  // httplib listens with a backlog of 5, compiled into Debian's library: in a burst of clients the
  // kernel drops connection requests beyond it, and they come back only on SYN retries (1 s, 3 s,
  // 7 s...). The listening socket (the first httplib prepares) is given the system's maximum.
  int listening_socket = -1;
  httplib::Server server;
  server.set_socket_options([&listening_socket](socket_t socket) {
    httplib::default_socket_options(socket);
    if (listening_socket < 0) listening_socket = socket;
  });
  // No set_payload_max_length(): httplib would answer 400 to a large body. The content reader
  // below stops reading at the limit and answers 413, for plain and compressed bodies alike.
  // One request per connection, answered with "Connection: close". A refused body (too large,
  // badly compressed) is not read to its end, and httplib 0.11 keeps a connection open whatever
  // the answer says: the rest of the body was then read as the client's next request, which got a
  // 414 or 400 (not retried: a good batch lost). Closing also spares exporters the race of reusing
  // a connection just as its keep-alive timeout closes it. A connection costs ~0.1 ms on one host.
  server.set_keep_alive_max_count(1);
  // A stop waits for idle keep-alive connections (an exporter's, between exports) to time out.
  server.set_keep_alive_timeout(1);
  // httplib's default pool has max(8, cores - 1) workers, and a connection that sends nothing
  // holds one until the read timeout, one that trickles for as long as it trickles.
  server.new_task_queue = [] { return new ConnectionThreads(kMaxConnectionThreads); };
  server.Post("/v1/traces", [&](const httplib::Request& request, httplib::Response& response,
                                const httplib::ContentReader& content_reader) {
    handle_traces(request, response, content_reader, options, sink, forwarder.get(), totals);
  });

  errno = 0;
  const int port = options.port == 0
                       ? server.bind_to_any_port(options.host)
                       : (server.bind_to_port(options.host, options.port) ? options.port : -1);
  if (port < 0) {
    std::cerr << "weft collect: cannot listen on " << options.host << ':' << options.port << ": "
              << (errno != 0 ? std::strerror(errno) : "the address is not usable") << '\n';
    return 2;
  }
  if (listening_socket >= 0) ::listen(listening_socket, SOMAXCONN);  // a longer queue, or as it was
  std::cout << "weft collect: listening on http://" << options.host << ':' << port
            << "/v1/traces, writing to " << options.output << std::endl;

  Stopper stopper(stop_signals, server, sink, totals, options);
  std::thread signal_thread([&stopper] { stopper.wait_for_signals(); });
  const bool listened = server.listen_after_bind();  // returns once stopped, requests answered
  stopper.server_returned(signal_thread);
  signal_thread.join();
  sink.flush();
  if (forwarder != nullptr) {
    if (const std::uint64_t failed = forwarder->stop(); failed > 0) {
      std::cerr << "weft collect: " << failed << " requests were not forwarded to "
                << options.forward << " (their spans are in " << options.output << ")\n";
    }
  }
  print_totals(totals, options);
  return listened || stopper.stopping() ? 0 : 1;
}

}  // namespace

void add_collect_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<CollectOptions>();
  CLI::App* collect = app.add_subcommand(
      "collect",
      "Receive OTLP/HTTP traces (protobuf or JSON) and append them to an OTLP/JSON "
      "lines file");
  collect->add_option("--host", options->host, "Address to listen on")->capture_default_str();
  collect->add_option("-p,--port", options->port, "Port to listen on (0: any free port)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  collect->add_option("-o,--output", options->output, "The OTLP/JSON lines file to append to")
      ->capture_default_str();
  collect->add_option("--forward", options->forward,
                      "Also send what arrives to this OTLP/HTTP collector (base URL or full "
                      "/v1/traces URL)");
  collect
      ->add_option("--forward-timeout", options->forward_timeout_ms,
                   "Milliseconds one forwarded request may take; a stop gives what is still "
                   "queued as long, in all")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600 * 1000));
  collect
      ->add_option("--max-body-bytes", options->max_body_bytes,
                   "Largest request body accepted, before and after decompression")
      ->capture_default_str();
  collect->callback([options, &exit_code] { exit_code = run_collect(*options); });
}

}  // namespace weft::cli
