// weft collect: the OTLP/HTTP receiver, tested through real HTTP on 127.0.0.1 with weft's own
// exporter and with hand-made bodies, and its decoding checked against libprotobuf's encoding.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "collector_process.h"
#include "export/gzip.h"
#include "export/http_transport.h"
#include "otlp_proto_json.h"
#include "otlp_receiver.h"
#include "run_command.h"
#include "sanitizer_support.h"
#include "test_provider.h"
#include "trace_file.h"
#include "trace_service.pb.h"
#include "weft/otlp_exporter.h"
#include "weft/tracer.h"

namespace weft {
namespace {

namespace otlp = opentelemetry::proto;

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("weft-collect-" + std::to_string(getpid()) + "-" + name))
      .string();
}

// What weft view reads back from the line a request stored.
cli::TraceFileContents read_back(const cli::ReceivedTraces& received) {
  std::istringstream file(received.line + "\n");
  cli::TraceFileContents contents;
  cli::read_trace_stream(file, "collected.jsonl", contents);
  return contents;
}

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream file(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(file, line);) lines.push_back(line);
  return lines;
}

detail::HttpResponse post(const std::string& url, const std::string& body,
                          const std::string& content_type, bool gzip = false) {
  auto transport = detail::make_curl_transport();
  std::string sent = body;
  detail::HttpRequest request;
  request.url = url;
  request.headers = {{"Content-Type", content_type}};
  if (gzip) {
    detail::gzip_compress(body, sent);
    request.headers.emplace_back("Content-Encoding", "gzip");
  }
  request.body = &sent;
  std::atomic<bool> cancel{false};
  return transport->post(request, std::chrono::seconds(10), cancel);
}

otlp::collector::trace::v1::ExportTraceServiceRequest sample_request() {
  otlp::collector::trace::v1::ExportTraceServiceRequest request;
  auto* resource_spans = request.add_resource_spans();
  auto* resource_attribute = resource_spans->mutable_resource()->add_attributes();
  resource_attribute->set_key("service.name");
  resource_attribute->mutable_value()->set_string_value("libprotobuf-sender");
  auto* scope_spans = resource_spans->add_scope_spans();
  scope_spans->mutable_scope()->set_name("sender");
  auto* span = scope_spans->add_spans();
  span->set_trace_id(
      std::string("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\xff", 16));
  span->set_span_id(std::string("\xaa\xbb\xcc\xdd\xee\xff\x00\x11", 8));
  span->set_name("from-protobuf");
  span->set_kind(otlp::trace::v1::Span::SPAN_KIND_SERVER);
  span->set_start_time_unix_nano(1700000000000000001ULL);
  span->set_end_time_unix_nano(1700000000000000002ULL);
  span->set_flags(0x301);
  auto add = [&](const std::string& key) {
    auto* attribute = span->add_attributes();
    attribute->set_key(key);
    return attribute->mutable_value();
  };
  add("int")->set_int_value(-5);
  add("double")->set_double_value(2.5);
  add("bool")->set_bool_value(false);
  add("bytes")->set_bytes_value(std::string("\x00\xffhi", 4));
  auto* list = add("array")->mutable_array_value();
  list->add_values()->set_string_value("x");
  list->add_values()->set_int_value(7);
  auto* nested = add("map")->mutable_kvlist_value()->add_values();
  nested->set_key("inner");
  nested->mutable_value()->set_bool_value(true);
  auto* event = span->add_events();
  event->set_name("evt");
  event->set_time_unix_nano(1700000000000000003ULL);
  span->mutable_status()->set_code(otlp::trace::v1::Status::STATUS_CODE_ERROR);
  span->mutable_status()->set_message("boom");
  return request;
}

TEST(CollectReceiver, ProtobufBecomesOtlpJson) {
  const auto received =
      cli::receive_traces(sample_request().SerializeAsString(), "application/x-protobuf");
  ASSERT_EQ(received.status, 200) << received.error;
  EXPECT_EQ(received.span_count, 1u);
  const auto json = nlohmann::json::parse(received.line);
  const auto& resource = json["resourceSpans"][0];
  EXPECT_EQ(resource["resource"]["attributes"][0]["value"]["stringValue"], "libprotobuf-sender");
  EXPECT_EQ(resource["scopeSpans"][0]["scope"]["name"], "sender");
  const auto& span = resource["scopeSpans"][0]["spans"][0];
  EXPECT_EQ(span["traceId"], "0102030405060708090a0b0c0d0e0fff");
  EXPECT_EQ(span["spanId"], "aabbccddeeff0011");
  EXPECT_EQ(span["name"], "from-protobuf");
  EXPECT_EQ(span["kind"], 2);
  EXPECT_EQ(span["flags"], 0x301);
  EXPECT_EQ(span["startTimeUnixNano"], "1700000000000000001");
  EXPECT_EQ(span["endTimeUnixNano"], "1700000000000000002");
  const auto& attributes = span["attributes"];
  EXPECT_EQ(attributes[0]["value"]["intValue"], "-5");
  EXPECT_EQ(attributes[1]["value"]["doubleValue"], 2.5);
  EXPECT_EQ(attributes[2]["value"]["boolValue"], false);
  EXPECT_EQ(attributes[3]["value"]["bytesValue"], "AP9oaQ==");
  EXPECT_EQ(attributes[4]["value"]["arrayValue"]["values"][1]["intValue"], "7");
  EXPECT_EQ(attributes[5]["value"]["kvlistValue"]["values"][0]["key"], "inner");
  EXPECT_EQ(span["events"][0]["timeUnixNano"], "1700000000000000003");
  EXPECT_EQ(span["status"]["code"], 2);
  EXPECT_EQ(span["status"]["message"], "boom");
}

TEST(CollectReceiver, MalformedBodiesAreRefusedWithTheReason) {
  std::string truncated = sample_request().SerializeAsString();
  truncated.resize(truncated.size() - 3);
  auto received = cli::receive_traces(truncated, "application/x-protobuf");
  EXPECT_EQ(received.status, 400);
  EXPECT_NE(received.error.find("malformed protobuf"), std::string::npos) << received.error;

  auto bad_id = sample_request();
  bad_id.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans(0)->set_span_id("abc");
  received = cli::receive_traces(bad_id.SerializeAsString(), "application/x-protobuf");
  EXPECT_EQ(received.status, 400);
  EXPECT_NE(received.error.find("spanId must be 8 bytes"), std::string::npos) << received.error;

  received = cli::receive_traces("{\"resourceSpans\": [", "application/json");
  EXPECT_EQ(received.status, 400);
  received =
      cli::receive_traces(R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"spanId":"01"}]}]}]})",
                          "application/json; charset=utf-8");
  EXPECT_EQ(received.status, 400);
  EXPECT_NE(received.error.find("traceId"), std::string::npos) << received.error;
  received = cli::receive_traces("hello", "text/plain");
  EXPECT_EQ(received.status, 415);
}

// The protobuf JSON mapping lets a request name fields as in the .proto ("resource_spans"): they
// are read as their lowerCamelCase names, and stored that way, rather than ignored with a 200.
TEST(CollectReceiver, OriginalProtoFieldNamesAreReadAsTheirCamelCaseNames) {
  const std::string body =
      R"({"resource_spans":[{"scope_spans":[{"spans":[{"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736",)"
      R"("span_id":"00f067aa0ba902b7","parent_span_id":"00f067aa0ba902b8","name":"n",)"
      R"("start_time_unix_nano":"1000","end_time_unix_nano":"2000",)"
      R"("attributes":[{"key":"http.request_method","value":{"string_value":"GET"}}]}]}]}]})";
  const auto received = cli::receive_traces(body, "application/json");
  ASSERT_EQ(received.status, 200) << received.error;
  EXPECT_EQ(received.span_count, 1u);
  const cli::TraceFileContents contents = read_back(received);
  EXPECT_TRUE(contents.problems.empty());
  ASSERT_EQ(contents.spans.size(), 1u);
  EXPECT_EQ(contents.spans[0].parent_span_id, "00f067aa0ba902b8");
  EXPECT_EQ(received.line.find("_id"), std::string::npos) << received.line;
  EXPECT_NE(received.line.find(R"("key":"http.request_method")"), std::string::npos)
      << "an attribute key is a value, not a field name: kept as it is";
  EXPECT_NE(received.line.find(R"("stringValue":"GET")"), std::string::npos) << received.line;
  // A span without ids under either spelling is still refused.
  EXPECT_EQ(cli::receive_traces(R"({"resource_spans":[{"scope_spans":[{"spans":[{"name":"x"}]}]}]})",
                                "application/json")
                .status,
            400);
}

// Found by the collect_proto_fuzz target: collect stored requests whose links had no ids, or
// whose ids were all zeros, and weft view then rejected the whole stored line.
TEST(CollectReceiver, RequestsWithIdsAReaderCannotPlaceAreRefused) {
  auto without_link_span_id = sample_request();
  auto* link = without_link_span_id.mutable_resource_spans(0)
                   ->mutable_scope_spans(0)
                   ->mutable_spans(0)
                   ->add_links();
  link->set_trace_id(std::string(16, '\x01'));
  auto refused =
      cli::receive_traces(without_link_span_id.SerializeAsString(), "application/x-protobuf");
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.error.find("spans[0].links[0].spanId: missing"), std::string::npos)
      << refused.error;

  auto zero_trace_id = sample_request();
  zero_trace_id.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans(0)->set_trace_id(
      std::string(16, '\0'));
  refused = cli::receive_traces(zero_trace_id.SerializeAsString(), "application/x-protobuf");
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.error.find("spans[0].traceId: all zeros"), std::string::npos) << refused.error;

  const std::string span_ids =
      R"("traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7")";
  auto request_with = [&](const std::string& fields) {
    return R"({"resourceSpans":[{"scopeSpans":[{"spans":[{)" + span_ids + fields + "}]}]}]}";
  };
  EXPECT_EQ(
      cli::receive_traces(request_with(R"(,"parentSpanId":"xyz")"), "application/json").status,
      400);
  EXPECT_EQ(
      cli::receive_traces(request_with(R"(,"links":[{"traceId":""}])"), "application/json").status,
      400);
  EXPECT_EQ(
      cli::receive_traces(request_with(R"(,"parentSpanId":"0000000000000000")"), "application/json")
          .status,
      200);
  EXPECT_EQ(
      cli::receive_traces(request_with(R"(,"links":[{)" + span_ids + "}]"), "application/json")
          .status,
      200);
}

// OTLP/JSON is the protobuf JSON mapping, whose parsers accept null for any field as its default
// value; weft view's readers do. collect refused such a request (or, for a null parentSpanId,
// its span) although the line it would store reads back whole.
TEST(CollectReceiver, NullFieldsAreTheirDefaultValues) {
  const std::string body =
      R"({"resourceSpans":[{"resource":null,"schemaUrl":null,"scopeSpans":[)"
      R"({"scope":null,"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736",)"
      R"("spanId":"00f067aa0ba902b7","parentSpanId":null,"traceState":null,"name":"n",)"
      R"("kind":null,"attributes":null,"events":null,"links":null,"status":null}]},)"
      R"({"scope":{"name":"s"},"spans":null}]},{"scopeSpans":null},{"resource":{}}]})";
  const auto received = cli::receive_traces(body, "application/json");
  ASSERT_EQ(received.status, 200) << received.error;
  EXPECT_EQ(received.span_count, 1u);
  const cli::TraceFileContents contents = read_back(received);
  EXPECT_TRUE(contents.problems.empty());
  ASSERT_EQ(contents.spans.size(), 1u);
  EXPECT_TRUE(contents.spans[0].parent_span_id.empty());

  EXPECT_EQ(cli::receive_traces(R"({"resourceSpans":null})", "application/json").status, 200);
  EXPECT_EQ(cli::receive_traces(R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":null,)"
                                R"("spanId":"00f067aa0ba902b7"}]}]}]})",
                                "application/json")
                .status,
            400)
      << "a null id is an empty one: still no id";
}

// Found by the collect_proto_fuzz target: a "kind" varint wider than 32 bits was stored as a
// 64-bit number that weft view refused; protobuf parsers keep the low 32 bits of such a field.
TEST(CollectReceiver, AnEnumWiderThan32BitsKeepsItsLow32BitsAndStaysReadable) {
  auto message = [](int field, const std::string& payload) {
    return std::string(1, static_cast<char>(field << 3 | 2)) +
           std::string(1, static_cast<char>(payload.size())) + payload;
  };
  const std::string kind_2_plus_2_to_the_32 = std::string("\x30\x82\x80\x80\x80\x10", 6);
  const std::string span = message(1, std::string(16, '\x01')) +
                           message(2, std::string(8, '\x02')) + kind_2_plus_2_to_the_32;
  const std::string body = message(1, message(2, message(2, span)));
  const auto received = cli::receive_traces(body, "application/x-protobuf");
  ASSERT_EQ(received.status, 200) << received.error;
  const auto stored = nlohmann::json::parse(received.line);
  EXPECT_EQ(stored["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["kind"], 2);
  const cli::TraceFileContents contents = read_back(received);
  EXPECT_TRUE(contents.problems.empty());
  EXPECT_EQ(contents.spans.size(), 1u);
}

TEST(CollectReceiver, AnEmptyRequestIsAcceptedAndWritesNothing) {
  const auto received = cli::receive_traces("", "application/x-protobuf");
  EXPECT_EQ(received.status, 200);
  EXPECT_TRUE(received.line.empty());
}

TEST(Collect, WeftsOtlpExporterToCollectToWeftView) {
  const std::string output = temp_path("exporter.jsonl");
  std::filesystem::remove(output);
  testing::CollectorProcess collector(output);
  ASSERT_GT(collector.port(), 0);
  for (const bool json : {false, true}) {
    OtlpHttpOptions otlp;
    otlp.endpoint = collector.traces_url();
    otlp.protocol = json ? OtlpProtocol::kHttpJson : OtlpProtocol::kHttpProtobuf;
    otlp.gzip = !json;
    Options options;
    options.service_name = json ? "json-sender" : "protobuf-sender";
    options.processors.push_back(make_batch_processor(make_otlp_http_exporter(otlp)));
    TracerProvider provider(finalize_config(std::move(options), testing::fake_environment({})));
    Tracer tracer = provider.tracer("collect-test");
    {
      auto parent = tracer.start_scoped_span("parent");
      parent->set_attribute("http.response.status_code", 200);
      auto child = tracer.start_scoped_span("child");
    }
    ASSERT_TRUE(provider.shutdown(std::chrono::seconds(10)));
  }
  EXPECT_EQ(collector.stop(SIGTERM), 0);
  EXPECT_NE(collector.final_output.find("4 spans in 2 requests"), std::string::npos)
      << collector.final_output;

  const cli::TraceFileContents contents = cli::read_trace_files({output});
  EXPECT_TRUE(contents.problems.empty());
  ASSERT_EQ(contents.spans.size(), 4u);
  for (const auto& span : contents.spans) {
    if (span.name == "child") {
      const auto parent = std::find_if(contents.spans.begin(), contents.spans.end(), [&](auto& s) {
        return s.name == "parent" && s.trace_id == span.trace_id;
      });
      ASSERT_NE(parent, contents.spans.end());
      EXPECT_EQ(span.parent_span_id, parent->span_id);
      EXPECT_FALSE(span.attribute("thread.id").empty());
    }
  }
  std::filesystem::remove(output);
}

TEST(Collect, RefusesBadBodiesOverHttpAndKeepsWhatWasStored) {
  const std::string output = temp_path("refuse.jsonl");
  std::filesystem::remove(output);
  testing::CollectorProcess collector(output, {"--max-body-bytes", "100000"});
  ASSERT_GT(collector.port(), 0);
  const std::string good = sample_request().SerializeAsString();
  EXPECT_EQ(post(collector.traces_url(), good, "application/x-protobuf").status, 200);
  EXPECT_EQ(post(collector.traces_url(), good, "application/x-protobuf", true).status, 200);

  const auto garbage = post(collector.traces_url(), "\x0a\xff\xff\xff", "application/x-protobuf");
  EXPECT_EQ(garbage.status, 400);
  otlp::collector::trace::v1::ExportTraceServiceResponse ignored;
  EXPECT_NE(garbage.body.find("malformed"), std::string::npos);
  EXPECT_EQ(post(collector.traces_url(), "{oops", "application/json").status, 400);
  EXPECT_EQ(post(collector.traces_url(), "{}", "text/plain").status, 415);
  // A body that is small compressed but too large inflated: a "zip bomb".
  const std::string huge_json = "{\"resourceSpans\":[]" + std::string(200000, ' ') + "}";
  EXPECT_EQ(post(collector.traces_url(), huge_json, "application/json", true).status, 413);
  EXPECT_EQ(post(collector.traces_url(), huge_json, "application/json").status, 413);
  EXPECT_EQ(post(collector.traces_url(), "{\"resourceSpans\":[]}", "application/json").status, 200);

  EXPECT_EQ(collector.stop(SIGINT), 0);
  // The empty request was accepted and wrote no line: the summary says both.
  EXPECT_NE(collector.final_output.find("in 3 requests accepted (2 lines written to"),
            std::string::npos)
      << collector.final_output;
  const auto lines = lines_of(output);
  ASSERT_EQ(lines.size(), 2u);  // the two good requests, whole; nothing from the refused ones
  for (const auto& line : lines) EXPECT_TRUE(nlohmann::json::accept(line)) << line;
  std::filesystem::remove(output);
}

// An upstream that accepts connections and answers nothing; it hangs up when destroyed.
class SilentUpstream {
 public:
  SilentUpstream() {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
        listen(listener_, 16) == 0 &&
        getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
      port_ = ntohs(address.sin_port);
    }
    acceptor_ = std::thread([this] {
      while (!stop_.load()) {
        pollfd waiting{listener_, POLLIN, 0};
        if (poll(&waiting, 1, 20) <= 0) continue;
        const int connection = accept(listener_, nullptr, nullptr);
        if (connection >= 0) connections_.push_back(connection);
      }
      for (int connection : connections_) close(connection);
      close(listener_);
    });
  }
  ~SilentUpstream() {
    stop_.store(true);
    acceptor_.join();
  }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }

 private:
  int listener_ = -1;
  int port_ = -1;
  std::atomic<bool> stop_{false};
  std::vector<int> connections_;  // the acceptor's
  std::thread acceptor_;
};

// The upstream's silence must not hold up the local answers (each once waited for it, 10 s, one
// request at a time); what it never took is reported when the collector stops.
TEST(Collect, AnUpstreamThatNeverAnswersDoesNotHoldUpTheLocalAnswers) {
  const std::string output = temp_path("forward-silent.jsonl");
  std::filesystem::remove(output);
  const SilentUpstream upstream;
  ASSERT_GT(upstream.port(), 0);
  testing::CollectorProcess local(
      output, {"--forward", upstream.base_url(), "--forward-timeout", "500"});
  ASSERT_GT(local.port(), 0);
  const std::string body = sample_request().SerializeAsString();
  std::vector<std::thread> clients;
  std::atomic<int> answered_quickly{0};
  for (int i = 0; i < 3; ++i) {
    clients.emplace_back([&] {
      const auto start = std::chrono::steady_clock::now();
      const int status = post(local.traces_url(), body, "application/x-protobuf").status;
      if (status == 200 && std::chrono::steady_clock::now() - start < std::chrono::seconds(2)) {
        answered_quickly.fetch_add(1);
      }
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(answered_quickly.load(), 3);
  const auto stop_start = std::chrono::steady_clock::now();
  EXPECT_EQ(local.stop(SIGINT), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - stop_start, std::chrono::seconds(5))
      << "a stop gives the forwards one --forward-timeout in all";
  EXPECT_EQ(lines_of(output).size(), 3u);
  std::filesystem::remove(output);
}

TEST(Collect, ForwardsToAnUpstreamCollector) {
  const std::string upstream_output = temp_path("upstream.jsonl");
  const std::string local_output = temp_path("local.jsonl");
  std::filesystem::remove(upstream_output);
  std::filesystem::remove(local_output);
  testing::CollectorProcess upstream(upstream_output);
  ASSERT_GT(upstream.port(), 0);
  testing::CollectorProcess local(local_output, {"--forward", upstream.base_url()});
  ASSERT_GT(local.port(), 0);
  EXPECT_EQ(post(local.traces_url(), sample_request().SerializeAsString(), "application/x-protobuf")
                .status,
            200);
  EXPECT_EQ(local.stop(), 0);
  EXPECT_EQ(upstream.stop(), 0);
  EXPECT_EQ(lines_of(local_output).size(), 1u);
  ASSERT_EQ(lines_of(upstream_output).size(), 1u);
  EXPECT_EQ(lines_of(upstream_output), lines_of(local_output));
  std::filesystem::remove(upstream_output);
  std::filesystem::remove(local_output);
}

}  // namespace
}  // namespace weft

namespace weft {
namespace {

TEST(Collect, DemoHonoursOtelTracesExporterOtlp) {
  WEFT_SKIP_WHEN_FORKED_CHILDREN_START_THREADS();  // the demo's process-pool workers start threads
  const std::string collected = temp_path("demo-collected.jsonl");
  const std::string demo_file = temp_path("demo.jsonl");
  std::filesystem::remove(collected);
  testing::CollectorProcess collector(collected);
  ASSERT_GT(collector.port(), 0);
  const std::string command =
      "OTEL_TRACES_EXPORTER=otlp OTEL_EXPORTER_OTLP_ENDPOINT=" + collector.base_url() + " " +
      WEFT_CLI_PATH + " demo -o " + demo_file + " > /dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0);
  EXPECT_EQ(collector.stop(), 0);
  const auto from_collector = cli::read_trace_files({collected});
  const auto from_file = cli::read_trace_files({demo_file});
  ASSERT_FALSE(from_file.spans.empty());
  ASSERT_EQ(from_collector.spans.size(), from_file.spans.size());
  std::set<std::string> file_ids, collected_ids;
  for (const auto& span : from_file.spans) file_ids.insert(span.span_id);
  for (const auto& span : from_collector.spans) collected_ids.insert(span.span_id);
  EXPECT_EQ(file_ids, collected_ids);
  std::filesystem::remove(collected);
  std::filesystem::remove(demo_file);
}

}  // namespace
}  // namespace weft

namespace weft {
namespace {

TEST(CollectReceiver, EveryTruncationAndCorruptionOfABodyIsRefusedOrReadNeverACrash) {
  const std::string body = sample_request().SerializeAsString();
  for (std::size_t length = 0; length < body.size(); ++length) {
    const auto received = cli::receive_traces(body.substr(0, length), "application/x-protobuf");
    EXPECT_TRUE(received.status == 200 || received.status == 400) << length;
    if (received.status == 200) {
      EXPECT_TRUE(received.line.empty() || nlohmann::json::accept(received.line));
    }
  }
  std::uint64_t seed = 12345;
  for (int round = 0; round < 2000; ++round) {
    std::string corrupted = body;
    for (int flips = 0; flips < 3; ++flips) {
      seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
      corrupted[(seed >> 33) % corrupted.size()] = static_cast<char>(seed >> 56);
    }
    const auto received = cli::receive_traces(corrupted, "application/x-protobuf");
    EXPECT_TRUE(received.status == 200 || received.status == 400);
    if (received.status == 200 && !received.line.empty()) {
      EXPECT_TRUE(nlohmann::json::accept(received.line)) << received.line;
    }
  }
}

// A protobuf field with a one-byte tag and a length-delimited `content`.
std::string length_delimited(char tag, const std::string& content) {
  std::string field(1, tag);
  std::size_t size = content.size();
  for (; size >= 0x80; size >>= 7) field.push_back(static_cast<char>((size & 0x7f) | 0x80));
  field.push_back(static_cast<char>(size));
  return field + content;
}

TEST(CollectReceiver, DeeplyNestedValuesAreRefusedNotRecursedWithoutEnd) {
  // AnyValue{array_value: ArrayValue{values: AnyValue{array_value: ...}}}, 1000 levels deep.
  std::string value = length_delimited(0x0a, "");  // string_value = ""
  for (int level = 0; level < 1000; ++level) {
    value = length_delimited(0x2a, length_delimited(0x0a, value));
  }
  const std::string attribute =
      length_delimited(0x0a, "deep") + length_delimited(0x12, value);  // KeyValue
  const std::string body = length_delimited(  // ExportTraceServiceRequest.resource_spans
      0x0a, length_delimited(                 // ResourceSpans.resource
                0x0a, length_delimited(0x0a, attribute)));  // Resource.attributes
  const auto received = cli::receive_traces(body, "application/x-protobuf");
  EXPECT_EQ(received.status, 400);
  EXPECT_NE(received.error.find("nested too deeply"), std::string::npos) << received.error;
}

TEST(Collect, StopsGracefullyUnderLoadEveryAcceptedRequestIsAWholeLine) {
  const std::string output = temp_path("graceful.jsonl");
  std::filesystem::remove(output);
  testing::CollectorProcess collector(output);
  ASSERT_GT(collector.port(), 0);
  const std::string body = sample_request().SerializeAsString();
  std::atomic<int> accepted{0};
  std::atomic<bool> go_on{true};
  std::vector<std::thread> senders;
  for (int sender = 0; sender < 4; ++sender) {
    senders.emplace_back([&] {
      while (go_on.load()) {
        const auto response = post(collector.traces_url(), body, "application/x-protobuf");
        if (response.status == 200) {
          accepted.fetch_add(1);
        } else {
          break;  // the collector has stopped
        }
      }
    });
  }
  while (accepted.load() < 40) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(collector.stop(SIGTERM), 0);
  go_on.store(false);
  for (auto& sender : senders) sender.join();
  const auto lines = lines_of(output);
  EXPECT_EQ(lines.size(), static_cast<std::size_t>(accepted.load()));
  for (const auto& line : lines) ASSERT_TRUE(nlohmann::json::accept(line));
  std::filesystem::remove(output);
}

}  // namespace
}  // namespace weft

namespace weft {
namespace {

// One span with valid ids and `fields` added, as a JSON request.
std::string json_request_with_span_fields(const std::string& fields) {
  return R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736",)"
         R"("spanId":"00f067aa0ba902b7","name":"n")" +
         fields + "}]}]}]}";
}

// What `weft view` makes of `body` stored as one line.
cli::TraceFileContents read_as_a_line(const std::string& body) {
  std::istringstream file(body + "\n");
  cli::TraceFileContents contents;
  cli::read_trace_stream(file, "collected.jsonl", contents);
  return contents;
}

// Found by an adversarial review: collect answered 200 to fields of the wrong type and stored
// them; weft view and weft check then skipped the whole stored line, valid spans beside it too.
// collect now refuses what the readers refuse, and says where the problem is.
TEST(CollectReceiver, AValueTheReadersWouldRefuseIsRefusedWithItsPlace) {
  const std::pair<std::string, std::string> bodies_and_places[] = {
      {json_request_with_span_fields(R"(,"startTimeUnixNano":"abc")"),
       "spans[0].startTimeUnixNano"},
      {json_request_with_span_fields(R"(,"startTimeUnixNano":-5)"), "spans[0].startTimeUnixNano"},
      {json_request_with_span_fields(R"(,"endTimeUnixNano":1.5)"), "spans[0].endTimeUnixNano"},
      {json_request_with_span_fields(R"(,"name":5)"), "spans[0].name"},
      {json_request_with_span_fields(R"(,"attributes":"notarray")"), "spans[0].attributes"},
      {json_request_with_span_fields(
           R"(,"attributes":[{"key":"k","value":{"intValue":"99999999999999999999"}}])"),
       "spans[0].attributes[0].value.intValue"},
      {json_request_with_span_fields(R"(,"events":[{"name":"e","timeUnixNano":"zz"}])"),
       "spans[0].events[0].timeUnixNano"},
      {json_request_with_span_fields(R"(,"kind":"SPAN_KIND_SIDEWAYS")"), "spans[0].kind"},
      {json_request_with_span_fields(R"(,"status":{"code":true})"), "spans[0].status.code"},
      {R"({"resourceSpans":[{"resource":"str","scopeSpans":[]}]})", "resourceSpans[0].resource"},
      {R"({"resourceSpans":[{"scopeSpans":[{"scope":{"name":[]}}]}]})",
       "resourceSpans[0].scopeSpans[0].scope.name"},
  };
  for (const auto& [body, place] : bodies_and_places) {
    ASSERT_EQ(read_as_a_line(body).malformed_lines, 1u) << "the readers refuse " << body;
    const auto received = cli::receive_traces(body, "application/json");
    EXPECT_EQ(received.status, 400) << body;
    EXPECT_NE(received.error.find(place), std::string::npos) << received.error;
    EXPECT_TRUE(received.line.empty());
  }
}

// Writing the stored line recurses once per level of nesting: a body of a few MiB of "[" crashed
// collect (found while making collect read every request before storing it).
TEST(CollectReceiver, AJsonBodyNestedDeeperThanAnyRequestIsRefusedNotACrash) {
  const std::string deep = std::string(300000, '[') + std::string(300000, ']');
  for (const std::string& body :
       {R"({"unknown":)" + deep + "}", json_request_with_span_fields(R"(,"unknown":)" + deep)}) {
    const auto received = cli::receive_traces(body, "application/json");
    EXPECT_EQ(received.status, 400);
    EXPECT_NE(received.error.find("levels deep"), std::string::npos) << received.error;
  }
  const std::string nested = std::string(100, '[') + std::string(100, ']');
  EXPECT_EQ(cli::receive_traces(json_request_with_span_fields(R"(,"unknown":)" + nested),
                                "application/json")
                .status,
            200);
}

TEST(Collect, ARequestWithOneMalformedSpanIsRefusedWholeAndWhatIsStoredIsAllReadable) {
  const std::string output = temp_path("wrong-types.jsonl");
  std::filesystem::remove(output);
  testing::CollectorProcess collector(output);
  ASSERT_GT(collector.port(), 0);
  const std::string good =
      R"({"traceId":"0102030405060708090a0b0c0d0e0f21","spanId":"1102030405060701",)"
      R"("name":"good","startTimeUnixNano":"1","endTimeUnixNano":"2"})";
  const std::string bad =
      R"({"traceId":"0102030405060708090a0b0c0d0e0f21","spanId":"1102030405060702",)"
      R"("parentSpanId":"1102030405060701","name":"bad","startTimeUnixNano":"abc"})";
  auto request_of = [](const std::string& spans) {
    return R"({"resourceSpans":[{"scopeSpans":[{"spans":[)" + spans + "]}]}]}";
  };
  const auto refused =
      post(collector.traces_url(), request_of(good + "," + bad), "application/json");
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("spans[1].startTimeUnixNano"), std::string::npos) << refused.body;
  EXPECT_EQ(post(collector.traces_url(), request_of(good), "application/json").status, 200);
  EXPECT_EQ(collector.stop(SIGTERM), 0);

  EXPECT_EQ(lines_of(output).size(), 1u);
  const cli::TraceFileContents contents = cli::read_trace_files({output});
  EXPECT_TRUE(contents.problems.empty());
  ASSERT_EQ(contents.spans.size(), 1u);
  EXPECT_EQ(contents.spans[0].name, "good");
  std::filesystem::remove(output);
}

// Found by an adversarial review: NaN and the infinities, sent as protobuf doubles, were stored
// as JSON null (nlohmann writes non-finite numbers so), and the value was lost. The protobuf
// JSON mapping writes them as the strings "NaN", "Infinity" and "-Infinity".
otlp::collector::trace::v1::ExportTraceServiceRequest request_with_non_finite_doubles() {
  auto request = sample_request();
  auto* span = request.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans(0);
  span->clear_attributes();
  const std::pair<const char*, double> doubles[] = {
      {"nan", std::numeric_limits<double>::quiet_NaN()},
      {"infinity", std::numeric_limits<double>::infinity()},
      {"minus_infinity", -std::numeric_limits<double>::infinity()}};
  for (const auto& [key, number] : doubles) {
    auto* attribute = span->add_attributes();
    attribute->set_key(key);
    attribute->mutable_value()->set_double_value(number);
  }
  return request;
}

TEST(CollectReceiver, NanAndInfinityDoublesAreStoredAsTheProtobufJsonMappingWritesThem) {
  const auto received = cli::receive_traces(request_with_non_finite_doubles().SerializeAsString(),
                                            "application/x-protobuf");
  ASSERT_EQ(received.status, 200) << received.error;
  const auto stored = nlohmann::json::parse(received.line);
  const auto& attributes = stored["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["attributes"];
  EXPECT_EQ(attributes[0]["value"]["doubleValue"], "NaN");
  EXPECT_EQ(attributes[1]["value"]["doubleValue"], "Infinity");
  EXPECT_EQ(attributes[2]["value"]["doubleValue"], "-Infinity");
  const cli::TraceFileContents contents = read_back(received);
  ASSERT_EQ(contents.spans.size(), 1u);
  EXPECT_EQ(contents.spans[0].attribute("nan"), "NaN");
  EXPECT_EQ(contents.spans[0].attribute("infinity"), "Infinity");
  EXPECT_EQ(contents.spans[0].attribute("minus_infinity"), "-Infinity");
}

TEST(Collect, NanAndInfinityDoublesSentAsProtobufAreShownByWeftView) {
  const std::string output = temp_path("non-finite.jsonl");
  std::filesystem::remove(output);
  testing::CollectorProcess collector(output);
  ASSERT_GT(collector.port(), 0);
  EXPECT_EQ(post(collector.traces_url(), request_with_non_finite_doubles().SerializeAsString(),
                 "application/x-protobuf")
                .status,
            200);
  EXPECT_EQ(collector.stop(SIGTERM), 0);
  const testing::CommandOutput view = testing::run_weft("view -a " + output + " 2>&1");
  EXPECT_EQ(view.status, 0) << view.output;
  EXPECT_NE(view.output.find("nan = NaN"), std::string::npos) << view.output;
  EXPECT_NE(view.output.find("infinity = Infinity"), std::string::npos) << view.output;
  EXPECT_NE(view.output.find("minus_infinity = -Infinity"), std::string::npos) << view.output;
  std::filesystem::remove(output);
}

// A protobuf tag: field number and wire type, as a varint.
std::string proto_tag(std::uint32_t field, std::uint32_t wire_type) {
  std::string tag;
  std::uint32_t value = field << 3 | wire_type;
  for (; value >= 0x80; value >>= 7) tag.push_back(static_cast<char>((value & 0x7f) | 0x80));
  tag.push_back(static_cast<char>(value));
  return tag;
}

// An unknown group (wire types 3 and 4) holding a varint and a nested group.
std::string unknown_group(std::uint32_t field) {
  return proto_tag(field, 3) + proto_tag(1, 0) + '\x01' + proto_tag(2, 3) + proto_tag(1, 0) +
         '\x02' + proto_tag(2, 4) + proto_tag(field, 4);
}

// Found by an adversarial review: collect refused a request holding an unknown field of the
// (deprecated, but valid) group wire type; protobuf parsers skip unknown groups like any other
// unknown field.
TEST(Collect, AnUnknownGroupFieldIsSkippedLikeAnyUnknownField) {
  const std::string output = temp_path("group.jsonl");
  std::filesystem::remove(output);
  testing::CollectorProcess collector(output);
  ASSERT_GT(collector.port(), 0);
  const std::string span = length_delimited(0x0a, std::string(16, '\x01')) +  // trace_id
                           unknown_group(95) +                                // unknown
                           length_delimited(0x12, std::string(8, '\x02')) +   // span_id
                           length_delimited(0x2a, "grouped");                 // name
  const std::string body =
      length_delimited(0x0a, length_delimited(0x12, length_delimited(0x12, span))) +
      unknown_group(50);
  const auto response = post(collector.traces_url(), body, "application/x-protobuf");
  EXPECT_EQ(response.status, 200) << response.body;
  // A group whose end tag names another field is malformed, as are groups nested without end.
  std::string endless_nesting;
  for (int level = 0; level < 10000; ++level) endless_nesting += proto_tag(7, 3);
  for (const std::string& malformed :
       {proto_tag(50, 3) + proto_tag(51, 4), proto_tag(50, 4), proto_tag(50, 3), endless_nesting}) {
    EXPECT_EQ(post(collector.traces_url(), malformed, "application/x-protobuf").status, 400);
  }
  EXPECT_EQ(collector.stop(SIGTERM), 0);
  const cli::TraceFileContents contents = cli::read_trace_files({output});
  EXPECT_TRUE(contents.problems.empty());
  ASSERT_EQ(contents.spans.size(), 1u);
  EXPECT_EQ(contents.spans[0].name, "grouped");
  std::filesystem::remove(output);
}

}  // namespace
}  // namespace weft
