// `weft collect` under abuse, over real sockets on 127.0.0.1: truncated and oversized bodies,
// wrong content types, a gzip bomb, slow and stalled clients, many connections at once. Each is
// answered with the right status or closed, the receiver stays up and keeps answering, its memory
// stays bounded, and the output file holds exactly the accepted requests as whole lines.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "collector_process.h"
#include "export/gzip.h"

namespace weft {
namespace {

using namespace std::chrono_literals;

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("weft-abuse-" + std::to_string(getpid()) + "-" + name))
      .string();
}

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream file(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(file, line);) lines.push_back(line);
  return lines;
}

// A raw TCP connection to the collector, with every read bounded by a timeout.
class Connection {
 public:
  Connection(int port, std::chrono::milliseconds read_timeout = 10s) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    timeval timeout{};
    timeout.tv_sec = static_cast<time_t>(read_timeout.count() / 1000);
    timeout.tv_usec = static_cast<suseconds_t>((read_timeout.count() % 1000) * 1000);
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~Connection() { close_now(); }

  bool connected() const { return connected_; }
  // False once the peer has closed (EPIPE is a return value here, never a signal).
  bool send_all(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t written = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (written <= 0) return false;
      sent += static_cast<std::size_t>(written);
    }
    return true;
  }
  void finish_sending() { shutdown(fd_, SHUT_WR); }
  // Everything until the peer closes or the read timeout passes.
  std::string receive_all() {
    std::string received;
    char buffer[4096];
    for (;;) {
      const ssize_t got = recv(fd_, buffer, sizeof buffer, 0);
      if (got <= 0) break;
      received.append(buffer, static_cast<std::size_t>(got));
    }
    return received;
  }
  // One response whose length is given by Content-Length, leaving the connection open.
  std::string receive_response() {
    std::string received;
    char byte;
    while (received.find("\r\n\r\n") == std::string::npos && recv(fd_, &byte, 1, 0) == 1) {
      received.push_back(byte);
    }
    const std::size_t length_at = received.find("Content-Length: ");
    std::size_t remaining =
        length_at == std::string::npos ? 0 : std::stoul(received.substr(length_at + 16));
    for (; remaining > 0 && recv(fd_, &byte, 1, 0) == 1; --remaining) received.push_back(byte);
    return received;
  }
  // True when the peer closed the connection (rather than the read timing out).
  bool closed_by_peer() {
    char byte;
    for (;;) {
      const ssize_t got = recv(fd_, &byte, 1, 0);
      if (got == 0) return true;
      if (got < 0) return errno == ECONNRESET;
    }
  }
  void close_now() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

// The status code of an HTTP response, or 0 when there was none.
int status_of(const std::string& response) {
  if (response.rfind("HTTP/1.1 ", 0) != 0 || response.size() < 12) return 0;
  return std::atoi(response.c_str() + 9);
}

std::string request_head(const std::string& content_type, std::size_t content_length,
                         const std::string& extra_headers = "") {
  std::string head = "POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (!content_type.empty()) head += "Content-Type: " + content_type + "\r\n";
  head += "Content-Length: " + std::to_string(content_length) + "\r\n" + extra_headers + "\r\n";
  return head;
}

// One JSON request holding one span whose trace id encodes `number`.
std::string json_request(int number) {
  char trace_id[33];
  std::snprintf(trace_id, sizeof trace_id, "%032x", number + 1);
  return std::string(
             R"({"resourceSpans":[{"resource":{"attributes":[]},"scopeSpans":[{"scope":{"name":"abuse"},"spans":[{"traceId":")") +
         trace_id + R"(","spanId":"00f067aa0ba902b7","name":"request-)" + std::to_string(number) +
         R"(","kind":2,"startTimeUnixNano":"1","endTimeUnixNano":"2"}]}]}]})";
}

int post_json(int port, int number) {
  Connection connection(port);
  const std::string body = json_request(number);
  if (!connection.send_all(request_head("application/json", body.size()) + body)) return 0;
  return status_of(connection.receive_all());
}

// The collector's peak resident memory, from /proc.
std::size_t peak_rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoul(line.substr(6));
  }
  return 0;
}

// A gzip stream of `inflated_bytes` zero bytes, built chunk by chunk (never held inflated).
std::string gzip_bomb(std::size_t inflated_bytes) {
  z_stream stream{};
  deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY);
  const std::string zeros(1 << 20, '\0');
  std::string out;
  char buffer[1 << 16];
  for (std::size_t fed = 0; fed < inflated_bytes; fed += zeros.size()) {
    const bool last = fed + zeros.size() >= inflated_bytes;
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zeros.data()));
    stream.avail_in = static_cast<uInt>(zeros.size());
    do {
      stream.next_out = reinterpret_cast<Bytef*>(buffer);
      stream.avail_out = sizeof buffer;
      deflate(&stream, last ? Z_FINISH : Z_NO_FLUSH);
      out.append(buffer, sizeof buffer - stream.avail_out);
    } while (stream.avail_out == 0);
  }
  deflateEnd(&stream);
  return out;
}

class CollectAbuseTest : public ::testing::Test {
 protected:
  void SetUp() override { std::filesystem::remove(output_); }
  void TearDown() override { std::filesystem::remove(output_); }

  // Every line of the output is one whole, valid request; returns the span names stored.
  std::set<std::string> stored_span_names() {
    std::set<std::string> names;
    for (const std::string& line : lines_of(output_)) {
      const auto request = nlohmann::json::parse(line, nullptr, false);
      EXPECT_FALSE(request.is_discarded()) << "torn line: " << line;
      if (request.is_discarded()) continue;
      for (const auto& resource : request["resourceSpans"]) {
        for (const auto& scope : resource["scopeSpans"]) {
          for (const auto& span : scope["spans"]) names.insert(span["name"].get<std::string>());
        }
      }
    }
    return names;
  }

  const std::string output_ = temp_path(
      std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + ".jsonl");
};

TEST_F(CollectAbuseTest, ATruncatedBodyIsDroppedWholeAndTheReceiverStaysUp) {
  testing::CollectorProcess collector(output_);
  ASSERT_GT(collector.port(), 0);
  ASSERT_EQ(post_json(collector.port(), 1), 200);

  // A sender that dies half-way through its body: the request is never stored, not even in part.
  const std::string body = json_request(2);
  {
    Connection connection(collector.port());
    ASSERT_TRUE(connection.send_all(request_head("application/json", body.size()) +
                                    body.substr(0, body.size() / 2)));
    connection.finish_sending();
    const std::string response = connection.receive_all();
    EXPECT_TRUE(status_of(response) == 0 || status_of(response) >= 400) << response;
  }
  // The same, with the connection reset rather than closed.
  {
    Connection connection(collector.port());
    ASSERT_TRUE(
        connection.send_all(request_head("application/json", body.size()) + body.substr(0, 10)));
  }
  ASSERT_EQ(post_json(collector.port(), 3), 200);
  EXPECT_EQ(collector.stop(SIGTERM), 0);
  EXPECT_EQ(stored_span_names(), (std::set<std::string>{"request-1", "request-3"}));
}

// A gzip stream that ends early (its trailer missing, or cut inside) in a body that is otherwise
// whole: refused with 400 and nothing stored, whatever the spelling of "gzip". (httplib, which
// inflated "gzip" bodies, took such a stream as complete and part of its spans were stored.)
TEST_F(CollectAbuseTest, AGzipStreamCutShortIsRefusedWhole) {
  testing::CollectorProcess collector(output_);
  ASSERT_GT(collector.port(), 0);
  ASSERT_EQ(post_json(collector.port(), 1), 200);
  std::string gzipped;
  ASSERT_TRUE(detail::gzip_compress(json_request(2), gzipped));
  const std::string cut[] = {gzipped.substr(0, gzipped.size() - 8),
                             gzipped.substr(0, gzipped.size() / 2)};
  for (const std::string encoding : {"gzip", "GZIP", "deflate"}) {
    for (const std::string& body : cut) {
      Connection connection(collector.port());
      ASSERT_TRUE(connection.send_all(
          request_head("application/json", body.size(), "Content-Encoding: " + encoding + "\r\n") +
          body));
      EXPECT_EQ(status_of(connection.receive_all()), 400) << encoding << ", " << body.size();
    }
  }
  ASSERT_EQ(post_json(collector.port(), 3), 200);
  EXPECT_EQ(collector.stop(SIGTERM), 0);
  EXPECT_EQ(stored_span_names(), (std::set<std::string>{"request-1", "request-3"}));
}

TEST_F(CollectAbuseTest, AnOversizedBodyIsRefusedWith413BeforeItIsRead) {
  testing::CollectorProcess collector(output_, {"--max-body-bytes", "65536"});
  ASSERT_GT(collector.port(), 0);
  ASSERT_EQ(post_json(collector.port(), 1), 200);

  // A declared length of 10 GB, of which only a little arrives: refused without waiting for it.
  {
    Connection connection(collector.port());
    ASSERT_TRUE(connection.send_all(request_head("application/json", 10ull << 30) +
                                    std::string(70000, ' ')));
    EXPECT_EQ(status_of(connection.receive_all()), 413);
  }
  // A body just over the limit, sent whole.
  {
    const std::string body = "{\"resourceSpans\":[]" + std::string(65536, ' ') + "}";
    Connection connection(collector.port());
    connection.send_all(request_head("application/json", body.size()) + body);
    EXPECT_EQ(status_of(connection.receive_all()), 413);
  }
  ASSERT_EQ(post_json(collector.port(), 2), 200);
  EXPECT_EQ(collector.stop(SIGTERM), 0);
  EXPECT_EQ(stored_span_names(), (std::set<std::string>{"request-1", "request-2"}));
}

TEST_F(CollectAbuseTest, WrongContentTypesAre415AndParametersAreIgnored) {
  testing::CollectorProcess collector(output_);
  ASSERT_GT(collector.port(), 0);
  const std::string body = json_request(1);
  const std::pair<std::string, int> cases[] = {
      {"", 415},
      {"text/plain", 415},
      {"application/jsonx", 415},
      {"image/png", 415},
      {"application/x-protobuf", 400},  // a JSON body is not a protobuf request
      {"Application/JSON; charset=utf-8", 200},
  };
  for (const auto& [content_type, expected] : cases) {
    Connection connection(collector.port());
    ASSERT_TRUE(connection.send_all(request_head(content_type, body.size()) + body));
    EXPECT_EQ(status_of(connection.receive_all()), expected) << "Content-Type: " << content_type;
  }
  EXPECT_EQ(collector.stop(SIGTERM), 0);
  EXPECT_EQ(lines_of(output_).size(), 1u);
  EXPECT_EQ(stored_span_names(), (std::set<std::string>{"request-1"}));
}

TEST_F(CollectAbuseTest, AGzipBombIsRefusedAt413WithMemoryBounded) {
  testing::CollectorProcess collector(output_);  // default limit: 16 MiB after decompression
  ASSERT_GT(collector.port(), 0);
  ASSERT_EQ(post_json(collector.port(), 1), 200);
  const std::size_t rss_before = peak_rss_kib(collector.pid());

  const std::string bomb = gzip_bomb(512u << 20);  // 512 MiB of zeros in about half a MiB
  ASSERT_LT(bomb.size(), 1u << 20);
  Connection connection(collector.port());
  connection.send_all(request_head("application/json", bomb.size(), "Content-Encoding: gzip\r\n") +
                      bomb);
  EXPECT_EQ(status_of(connection.receive_all()), 413);

  // What was inflated is bounded by the limit, not by the bomb.
  const std::size_t rss_after = peak_rss_kib(collector.pid());
  EXPECT_LT(rss_after, rss_before + 96 * 1024)
      << "peak RSS " << rss_before << " -> " << rss_after << " KiB";
  ASSERT_EQ(post_json(collector.port(), 2), 200);
  EXPECT_EQ(collector.stop(SIGTERM), 0);
  EXPECT_EQ(stored_span_names(), (std::set<std::string>{"request-1", "request-2"}));
}

TEST_F(CollectAbuseTest, ASlowClientNeitherBlocksOthersNorIsKeptForever) {
  testing::CollectorProcess collector(output_);
  ASSERT_GT(collector.port(), 0);
  const std::string body = json_request(1);
  const std::string request = request_head("application/json", body.size()) + body;

  // One client trickles its headers a byte at a time, then stalls for good half-way through.
  Connection slow(collector.port(), 30s);
  ASSERT_TRUE(slow.connected());
  for (std::size_t i = 0; i < 20; ++i) {
    ASSERT_TRUE(slow.send_all(request.substr(i, 1)));
    std::this_thread::sleep_for(20ms);
  }
  // Meanwhile others are answered at once.
  for (int number = 2; number < 6; ++number) {
    const auto started = std::chrono::steady_clock::now();
    EXPECT_EQ(post_json(collector.port(), number), 200);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  }
  // The stalled client is dropped once the read timeout passes (httplib's default: 5 s).
  const auto stalled_at = std::chrono::steady_clock::now();
  EXPECT_TRUE(slow.closed_by_peer());
  EXPECT_LT(std::chrono::steady_clock::now() - stalled_at, 20s);

  EXPECT_EQ(collector.stop(SIGTERM), 0);
  EXPECT_EQ(stored_span_names(),
            (std::set<std::string>{"request-2", "request-3", "request-4", "request-5"}));
}

// A client that sends a header line every 200 ms, for 15 s: each read comes well within httplib's
// read timeout, so it holds its worker for as long as it likes (15 s here, so that a collector that
// waits for it makes the test fail rather than hang).
class TricklingClient {
 public:
  explicit TricklingClient(int port) : connection_(port), thread_([this] { trickle(); }) {}
  ~TricklingClient() {
    stop_trickling();
    thread_.join();
  }
  bool connected() const { return connection_.connected(); }
  // Without waiting for the thread: many clients stop in the time of one.
  void stop_trickling() { done_.store(true); }

 private:
  void trickle() {
    if (!connection_.send_all("POST /v1/traces HTTP/1.1\r\nHost: x\r\n")) return;
    const auto give_up_at = std::chrono::steady_clock::now() + 15s;
    while (!done_.load() && std::chrono::steady_clock::now() < give_up_at &&
           connection_.send_all("X-Trickle: y\r\n")) {
      std::this_thread::sleep_for(200ms);
    }
  }

  Connection connection_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

bool still_running(pid_t pid) {
  int status = 0;
  return waitpid(pid, &status, WNOHANG) == 0;
}

TEST_F(CollectAbuseTest, ASecondSignalStopsAtOnceWhileAClientTricklesItsHeaders) {
  testing::CollectorProcess collector(output_);
  ASSERT_GT(collector.port(), 0);
  ASSERT_EQ(post_json(collector.port(), 1), 200);
  TricklingClient trickler(collector.port());
  ASSERT_TRUE(trickler.connected());
  std::this_thread::sleep_for(300ms);

  kill(collector.pid(), SIGINT);
  std::this_thread::sleep_for(1s);
  // Not reaped here: waitpid(WNOHANG) returns 0 while it runs.
  EXPECT_TRUE(still_running(collector.pid())) << "the first signal waits for the request in progress";
  const auto second_signal_at = std::chrono::steady_clock::now();
  EXPECT_EQ(collector.stop(SIGTERM), 0);
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - second_signal_at);
  EXPECT_LT(took.count(), 2000) << "ms after the second signal";
  EXPECT_NE(collector.final_output.find("stopped; 1 spans in 1 requests accepted"), std::string::npos)
      << collector.final_output;
  EXPECT_EQ(stored_span_names(), (std::set<std::string>{"request-1"}));
}

TEST_F(CollectAbuseTest, OneSignalStopsWithinTheGracePeriodWhileAClientTricklesItsHeaders) {
  testing::CollectorProcess collector(output_);
  ASSERT_GT(collector.port(), 0);
  ASSERT_EQ(post_json(collector.port(), 1), 200);
  TricklingClient trickler(collector.port());
  ASSERT_TRUE(trickler.connected());
  std::this_thread::sleep_for(300ms);

  const auto signal_at = std::chrono::steady_clock::now();
  EXPECT_EQ(collector.stop(SIGINT), 0);
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - signal_at);
  EXPECT_GE(took.count(), 4000) << "ms: requests in progress get 5 s to finish";
  EXPECT_LT(took.count(), 8000) << "ms after the signal";
  EXPECT_EQ(stored_span_names(), (std::set<std::string>{"request-1"}));
}

// More trickling clients than the 64 workers the collector used to have: each holds a thread, and
// an exporter is still answered at once.
TEST_F(CollectAbuseTest, AHundredTricklingClientsDoNotKeepOthersFromBeingAnswered) {
  testing::CollectorProcess collector(output_);
  ASSERT_GT(collector.port(), 0);
  std::vector<std::unique_ptr<TricklingClient>> tricklers;
  for (int i = 0; i < 100; ++i) {
    tricklers.push_back(std::make_unique<TricklingClient>(collector.port()));
    ASSERT_TRUE(tricklers.back()->connected());
  }
  std::this_thread::sleep_for(1s);
  for (int number = 1; number <= 3; ++number) {
    const auto started = std::chrono::steady_clock::now();
    EXPECT_EQ(post_json(collector.port(), number), 200);
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    EXPECT_LT(took.count(), 2000) << "ms for request " << number;
  }
  for (auto& trickler : tricklers) trickler->stop_trickling();
  tricklers.clear();
  EXPECT_EQ(collector.stop(SIGTERM), 0);
  EXPECT_EQ(stored_span_names(), (std::set<std::string>{"request-1", "request-2", "request-3"}));
}

TEST_F(CollectAbuseTest, ManyConcurrentConnectionsAreAllAnsweredAndEveryLineIsWhole) {
  testing::CollectorProcess collector(output_);
  ASSERT_GT(collector.port(), 0);
  // Idle connections that never send anything, held open during the load.
  std::vector<std::unique_ptr<Connection>> idle;
  for (int i = 0; i < 32; ++i) idle.push_back(std::make_unique<Connection>(collector.port()));

  constexpr int kSenders = 64;
  std::atomic<int> accepted{0};
  std::vector<std::thread> senders;
  for (int sender = 0; sender < kSenders; ++sender) {
    senders.emplace_back([&, sender] {
      if (post_json(collector.port(), sender) == 200) accepted.fetch_add(1);
      // Garbage on a second connection, then gone.
      Connection garbage(collector.port(), 2s);
      garbage.send_all("POST /v1/traces HTTP/1.1\r\nContent-Length: zz\r\n\r\n\x01\x02");
    });
  }
  for (auto& thread : senders) thread.join();
  idle.clear();

  EXPECT_EQ(accepted.load(), kSenders);
  EXPECT_EQ(post_json(collector.port(), kSenders), 200);  // still up
  EXPECT_EQ(collector.stop(SIGTERM), 0);
  EXPECT_EQ(lines_of(output_).size(), static_cast<std::size_t>(kSenders + 1));
  EXPECT_EQ(stored_span_names().size(), static_cast<std::size_t>(kSenders + 1));
}

// The value of `name` in the head of an HTTP response (names matched in any case), or "".
std::string header_of(const std::string& response, const std::string& name) {
  const std::string head = response.substr(0, response.find("\r\n\r\n"));
  std::istringstream lines(head);
  for (std::string line; std::getline(lines, line);) {
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos || colon != name.size()) continue;
    if (!std::equal(name.begin(), name.end(), line.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      continue;
    }
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    while (!value.empty() && (value.back() == '\r' || value.back() == ' ')) value.pop_back();
    return value;
  }
  return "";
}

std::string body_of(const std::string& response) {
  const std::size_t end_of_head = response.find("\r\n\r\n");
  return end_of_head == std::string::npos ? "" : response.substr(end_of_head + 4);
}

// Found by an adversarial review: a request sent as "Application/JSON" (media types are
// case-insensitive) was read as JSON but answered in protobuf. OTLP/HTTP answers in the
// request's Content-Type.
TEST_F(CollectAbuseTest, TheAnswerHasTheRequestsContentTypeWhateverItsCase) {
  testing::CollectorProcess collector(output_);
  ASSERT_GT(collector.port(), 0);
  struct Case {
    std::string content_type;
    std::string body;
    int status;
    std::string answered_type;
  };
  const Case cases[] = {
      {"Application/JSON", json_request(1), 200, "application/json"},
      {"APPLICATION/JSON; charset=utf-8", R"({"resourceSpans":5})", 400, "application/json"},
      {"application/json", json_request(2), 200, "application/json"},
      {"Application/X-Protobuf", "", 200, "application/x-protobuf"},
      {"application/protobuf", "\x0a\xff", 400, "application/protobuf"},
  };
  for (const Case& sent : cases) {
    Connection connection(collector.port());
    ASSERT_TRUE(connection.send_all(request_head(sent.content_type, sent.body.size()) + sent.body));
    const std::string response = connection.receive_all();
    EXPECT_EQ(status_of(response), sent.status) << sent.content_type;
    EXPECT_EQ(header_of(response, "Content-Type"), sent.answered_type) << sent.content_type;
    if (sent.answered_type == "application/json") {
      const auto answer = nlohmann::json::parse(body_of(response), nullptr, false);
      EXPECT_TRUE(answer.is_object()) << response;
      if (sent.status != 200) {
        EXPECT_TRUE(answer.contains("message")) << response;
      }
    }
  }
  EXPECT_EQ(collector.stop(SIGTERM), 0);
  EXPECT_EQ(stored_span_names(), (std::set<std::string>{"request-1", "request-2"}));
}

// The body compressed in the zlib format, which is what HTTP's "deflate" coding means.
std::string zlib_compressed(const std::string& data) {
  uLongf size = compressBound(static_cast<uLong>(data.size()));
  std::string out(size, '\0');
  compress(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(data.data()),
           static_cast<uLong>(data.size()));
  out.resize(size);
  return out;
}

// Found by an adversarial review: a Content-Encoding the receiver cannot decode was read as if
// the body were plain (zstd: a 200 for a plain body, a baffling "not valid JSON" for a real one)
// or refused as "truncated, or bad compression" (br). It is 415 Unsupported Media Type, naming
// the encoding; the body is read and dropped, so the connection serves the next request.
TEST_F(CollectAbuseTest, AContentEncodingThatIsNotDecodedIs415NamingIt) {
  testing::CollectorProcess collector(output_);
  ASSERT_GT(collector.port(), 0);
  const std::string body = json_request(1);
  for (const std::string encoding : {"zstd", "br", "snappy", "gzip, zstd", "gzipx"}) {
    Connection connection(collector.port());
    ASSERT_TRUE(connection.send_all(
        request_head("application/json", body.size(), "Content-Encoding: " + encoding + "\r\n") +
        body));
    const std::string response = connection.receive_all();
    EXPECT_EQ(status_of(response), 415) << encoding << ": " << response;
    const auto answer = nlohmann::json::parse(body_of(response), nullptr, false);
    const std::string message = answer.is_object() ? answer.value("message", "") : "";
    EXPECT_NE(message.find('"' + encoding + '"'), std::string::npos) << response;
  }
  {
    Connection connection(collector.port());
    const std::string kept_alive =
        "POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/json\r\nContent-Encoding: zstd\r\n"
        "Content-Length: " +
        std::to_string(body.size()) + "\r\n\r\n";
    const std::string next = json_request(2);
    ASSERT_TRUE(connection.send_all(kept_alive + body));
    const std::string refused = connection.receive_response();
    EXPECT_EQ(status_of(refused), 415);
    // One request per connection (a refused body is not read to its end: what is left of it
    // must not be read as the next request), and the answer says so.
    EXPECT_NE(refused.find("Connection: close"), std::string::npos) << refused;
    Connection again(collector.port());
    ASSERT_TRUE(again.send_all(request_head("application/json", next.size()) + next));
    EXPECT_EQ(status_of(again.receive_all()), 200) << "the request after the refused one";
  }
  // HTTP compares encodings case-insensitively, and x-gzip is gzip (RFC 9110). The receiver
  // inflates them all itself (httplib would inflate "gzip" and "deflate" spelled so, without
  // checking that the stream ended).
  const auto gzipped = [](const std::string& data) {
    std::string out;
    detail::gzip_compress(data, out);
    return out;
  };
  const std::pair<std::string, std::string> decoded[] = {
      {"identity", json_request(3)},
      {"deflate", zlib_compressed(json_request(4))},
      {"GZIP", gzipped(json_request(5))},
      {"x-gzip", gzipped(json_request(6))},
      {"Deflate", zlib_compressed(json_request(7))},
      {"IDENTITY", json_request(8)}};
  for (const auto& [encoding, sent] : decoded) {
    Connection connection(collector.port());
    ASSERT_TRUE(connection.send_all(
        request_head("application/json", sent.size(), "Content-Encoding: " + encoding + "\r\n") +
        sent));
    EXPECT_EQ(status_of(connection.receive_all()), 200) << encoding;
  }
  {
    const std::string garbage = "not a gzip stream";
    Connection connection(collector.port());
    ASSERT_TRUE(connection.send_all(
        request_head("application/json", garbage.size(), "Content-Encoding: X-GZIP\r\n") +
        garbage));
    EXPECT_EQ(status_of(connection.receive_all()), 400);
  }
  EXPECT_EQ(collector.stop(SIGTERM), 0);
  EXPECT_EQ(stored_span_names(),
            (std::set<std::string>{"request-2", "request-3", "request-4", "request-5", "request-6",
                                   "request-7", "request-8"}));
}

// The same limit holds for a body the receiver inflates itself (an encoding httplib leaves alone).
TEST_F(CollectAbuseTest, AGzipBombInAnEncodingInflatedHereIsRefusedAt413) {
  testing::CollectorProcess collector(output_);
  ASSERT_GT(collector.port(), 0);
  const std::string bomb = gzip_bomb(512u << 20);
  Connection connection(collector.port());
  connection.send_all(request_head("application/json", bomb.size(), "Content-Encoding: GZIP\r\n") +
                      bomb);
  EXPECT_EQ(status_of(connection.receive_all()), 413);
  ASSERT_EQ(post_json(collector.port(), 1), 200);
  EXPECT_EQ(collector.stop(SIGTERM), 0);
}

}  // namespace
}  // namespace weft
