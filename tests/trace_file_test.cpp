// weft view's reader: OTLP/JSON lines as the Collector and weft write them, the proto spellings
// receivers must accept too, and lines that are not OTLP/JSON at all.
#include "trace_file.h"

#include <gtest/gtest.h>

#include <sstream>

namespace weft::cli {
namespace {

const std::string kFixtures = WEFT_TEST_FIXTURES;
constexpr std::uint64_t kT = 1700000000000000000ULL;  // the fixtures' time origin

TraceFileContents read_text(const std::string& text) {
  std::istringstream input(text);
  TraceFileContents contents;
  read_trace_stream(input, "input", contents);
  return contents;
}

// A request line whose only span is `span` (a JSON object).
std::string line_with_raw_span(const std::string& span) {
  return R"({"resourceSpans":[{"scopeSpans":[{"spans":[)" + span + "]}]}]}\n";
}

// A request line whose only span has valid ids plus `fields` (JSON members).
std::string line_with_span(const std::string& fields) {
  return line_with_raw_span(
      R"({"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7")" +
      (fields.empty() ? "" : "," + fields) + "}");
}

// The display text of one attribute value given as AnyValue JSON.
std::string displayed(const std::string& any_value) {
  TraceFileContents contents =
      read_text(line_with_span(R"("attributes":[{"key":"k","value":)" + any_value + "}]"));
  EXPECT_TRUE(contents.problems.empty()) << any_value << ": " << contents.problems.front();
  return contents.spans.empty() ? "<no span>" : contents.spans[0].attribute("k");
}

// The problem reported for a single malformed line, without its "input:1: " location.
std::string problem_of(const std::string& line) {
  TraceFileContents contents = read_text(line);
  EXPECT_TRUE(contents.spans.empty()) << line;
  if (contents.problems.size() != 1) return "<" + std::to_string(contents.problems.size()) + ">";
  const std::string& problem = contents.problems[0];
  EXPECT_EQ(problem.rfind("input:1: ", 0), 0u) << problem;
  return problem.substr(9);
}

TEST(TraceFileTest, ReadsTheCollectorFileExporterOutput) {
  const std::string path = kFixtures + "/collector_file_exporter.jsonl";
  TraceFileContents contents = read_trace_files({path});
  EXPECT_TRUE(contents.problems.empty());
  EXPECT_EQ(contents.malformed_lines, 0u);
  EXPECT_FALSE(contents.unreadable);
  ASSERT_EQ(contents.spans.size(), 7u);

  const SpanRecord& root = contents.spans[0];
  EXPECT_EQ(root.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(root.span_id, "00f067aa0ba902b7");
  EXPECT_EQ(root.parent_span_id, "");
  EXPECT_EQ(root.name, "GET /checkout");
  EXPECT_EQ(root.kind, kKindServer);
  EXPECT_EQ(root.start_ns, kT);
  EXPECT_EQ(root.end_ns, kT + 1250000000);
  EXPECT_EQ(root.flags, 257u);
  const Attributes expected_attributes = {{"http.request.method", "GET"},
                                          {"http.response.status_code", "200"},
                                          {"thread.id", "1"},
                                          {"thread.name", "main"}};
  EXPECT_EQ(root.attributes, expected_attributes) << "in file order";
  EXPECT_EQ(root.status_code, kStatusUnset);
  EXPECT_EQ(root.resource_attribute("service.name"), "frontend");
  EXPECT_EQ(root.resource_attribute("process.pid"), "4242");
  EXPECT_EQ(root.resource_attribute("host.name"), "web-1");
  EXPECT_EQ(root.scope_name, "io.opentelemetry.http");
  EXPECT_EQ(root.location, path + ":1");

  const SpanRecord& render = contents.spans[2];
  EXPECT_EQ(render.name, "render");
  EXPECT_EQ(render.scope_name, "weft.render") << "second scope of the same resource";
  EXPECT_EQ(render.resource, root.resource) << "one resource object per resourceSpans entry";

  const SpanRecord& charge = contents.spans[3];
  EXPECT_EQ(charge.name, "charge card");
  EXPECT_EQ(charge.parent_span_id, "53995c3f42cd8ad8");
  EXPECT_EQ(charge.resource_attribute("service.name"), "payments") << "second resourceSpans entry";
  EXPECT_EQ(charge.attribute("amount"), "12.5");
  EXPECT_EQ(charge.status_code, kStatusError);
  EXPECT_EQ(charge.status_message, "card declined");
  ASSERT_EQ(charge.events.size(), 1u);
  EXPECT_EQ(charge.events[0].name, "retry");
  EXPECT_EQ(charge.events[0].time_ns, kT + 300000000);
  EXPECT_EQ(charge.events[0].attributes, (Attributes{{"attempt", "2"}}));

  const SpanRecord& cleanup = contents.spans[6];
  EXPECT_EQ(cleanup.name, "cleanup");
  EXPECT_EQ(cleanup.location, path + ":2");
  ASSERT_EQ(cleanup.links.size(), 1u);
  EXPECT_EQ(cleanup.links[0].trace_id, "0af7651916cd43dd8448eb211c80319c");
  EXPECT_EQ(cleanup.links[0].span_id, "2c3d4e5f60718293");
}

TEST(TraceFileTest, AcceptsProtoFieldNamesNumbersAndEnumNames) {
  TraceFileContents contents = read_text(
      R"({"resource_spans":[{"resource":{"attributes":[)"
      R"({"key":"process.pid","value":{"int_value":7}}]},"scope_spans":[{"scope":{"name":"s"},)"
      R"("spans":[{"trace_id":"4BF92F3577B34DA6A3CE929D0E0E4736",)"
      R"("span_id":"00F067AA0BA902B7","parent_span_id":"B7AD6B7169203331","name":"snake",)"
      R"("kind":"SPAN_KIND_CONSUMER","start_time_unix_nano":1700000000000000000,)"
      R"("end_time_unix_nano":1.7000000005e18,"status":{"code":"STATUS_CODE_OK"},)"
      R"("events":[{"time_unix_nano":"5","name":"e"}]}]}]}]})");
  ASSERT_TRUE(contents.problems.empty()) << contents.problems.front();
  ASSERT_EQ(contents.spans.size(), 1u);
  const SpanRecord& span = contents.spans[0];
  EXPECT_EQ(span.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736") << "hex ids are case-insensitive";
  EXPECT_EQ(span.span_id, "00f067aa0ba902b7");
  EXPECT_EQ(span.parent_span_id, "b7ad6b7169203331");
  EXPECT_EQ(span.name, "snake");
  EXPECT_EQ(span.kind, kKindConsumer);
  EXPECT_EQ(span.start_ns, kT) << "a JSON number for a 64-bit integer";
  EXPECT_EQ(span.end_ns, kT + 500000000) << "a JSON number in exponent form, still whole";
  EXPECT_EQ(span.status_code, kStatusOk);
  EXPECT_EQ(span.resource_attribute("process.pid"), "7");
  EXPECT_EQ(span.scope_name, "s");
  ASSERT_EQ(span.events.size(), 1u);
  EXPECT_EQ(span.events[0].time_ns, 5u);
}

TEST(TraceFileTest, EmptyOrZeroParentIdsMakeARootAndUnknownEnumNumbersAreKept) {
  const std::vector<std::string> no_parents = {
      R"("parentSpanId":"")", R"("parentSpanId":"0000000000000000")", R"("parentSpanId":null)", ""};
  for (const std::string& parent : no_parents) {
    TraceFileContents contents = read_text(line_with_span(parent));
    ASSERT_EQ(contents.spans.size(), 1u) << parent;
    EXPECT_EQ(contents.spans[0].parent_span_id, "") << parent;
  }
  TraceFileContents contents = read_text(line_with_span(R"("kind":9,"status":{"code":7})"));
  ASSERT_EQ(contents.spans.size(), 1u);
  EXPECT_EQ(contents.spans[0].kind, 9) << "protobuf enums are open";
  EXPECT_EQ(contents.spans[0].status_code, 7);
}

TEST(TraceFileTest, ShowsEveryKindOfAttributeValue) {
  EXPECT_EQ(displayed(R"({"stringValue":"text, with comma"})"), "text, with comma");
  EXPECT_EQ(displayed(R"({"boolValue":true})"), "true");
  EXPECT_EQ(displayed(R"({"intValue":"-9223372036854775808"})"), "-9223372036854775808");
  EXPECT_EQ(displayed(R"({"intValue":-12})"), "-12");
  EXPECT_EQ(displayed(R"({"doubleValue":0.25})"), "0.25");
  EXPECT_EQ(displayed(R"({"doubleValue":"NaN"})"), "NaN");
  EXPECT_EQ(displayed(R"({"bytesValue":"AAEC"})"), "base64:AAEC");
  EXPECT_EQ(displayed(R"({"arrayValue":{"values":[{"stringValue":"a, b"},{"intValue":"1"}]}})"),
            R"(["a, b", 1])");
  EXPECT_EQ(displayed(R"({"arrayValue":{}})"), "[]");
  EXPECT_EQ(displayed(R"({"kvlistValue":{"values":[{"key":"x","value":{"boolValue":false}},)"
                      R"({"key":"y","value":{"arrayValue":{"values":[{"stringValue":"z"}]}}}]}})"),
            R"({x: false, y: ["z"]})");
  EXPECT_EQ(displayed(R"({})"), "") << "an empty AnyValue";
  EXPECT_EQ(displayed(R"({"futureValue":1})"), "") << "a kind of value from a newer OTLP";
}

// A pretty-printed request is one malformed line per line: the reader says what the file looks
// like and how to make it OTLP/JSON lines, instead of leaving only the line errors.
TEST(TraceFileTest, APrettyPrintedFileIsRecognisedAndTheFixIsNamed) {
  std::istringstream pretty("{\n  \"resourceSpans\": [\n  ]\n}\n");
  TraceFileContents contents;
  read_trace_stream(pretty, "pretty.json", contents);
  EXPECT_EQ(contents.malformed_lines, 4u);
  ASSERT_FALSE(contents.problems.empty());
  EXPECT_NE(contents.problems.back().find("looks like pretty-printed JSON"), std::string::npos)
      << contents.problems.back();
  EXPECT_NE(contents.problems.back().find("jq -c . pretty.json"), std::string::npos);

  // A lines file with one bad line first is not called pretty-printed.
  std::istringstream lines("{\"resourceSpans\": [\n{\"resourceSpans\":[]}\n");
  TraceFileContents other;
  read_trace_stream(lines, "lines.jsonl", other);
  EXPECT_EQ(other.malformed_lines, 1u);
  for (const std::string& problem : other.problems) {
    EXPECT_EQ(problem.find("pretty-printed"), std::string::npos) << problem;
  }
}

TEST(TraceFileTest, DeeplyNestedInputNeitherCrashesNorRecursesWithoutBound) {
  constexpr int kDepth = 100000;
  std::string nested_value;
  for (int i = 0; i < kDepth; ++i) nested_value += R"({"arrayValue":{"values":[)";
  nested_value += R"({"stringValue":"bottom"})";
  for (int i = 0; i < kDepth; ++i) nested_value += "]}}";
  const std::string shown = displayed(nested_value);
  EXPECT_EQ(shown.substr(0, 4), "[[[[");
  EXPECT_NE(shown.find("..."), std::string::npos);
  EXPECT_LT(shown.size(), 100u);

  const std::string deep_array = std::string(kDepth, '[') + std::string(kDepth, ']');
  EXPECT_EQ(problem_of(line_with_span(R"("name":)" + deep_array)),
            "resourceSpans[0].scopeSpans[0].spans[0].name: expected a string, got an array");
  TraceFileContents ignored = read_text(line_with_span(R"("someFutureField":)" + deep_array));
  EXPECT_EQ(ignored.spans.size(), 1u) << "unknown fields are ignored, however deep";
}

TEST(TraceFileTest, WrongShapesAreReportedWithTheirPlaceInTheLine) {
  const std::string span = "resourceSpans[0].scopeSpans[0].spans[0].";
  EXPECT_EQ(problem_of(line_with_span(R"("name":5)")), span + "name: expected a string, got 5");
  EXPECT_EQ(problem_of(line_with_raw_span(R"({"traceId":12,"spanId":"00f067aa0ba902b7"})")),
            span + "traceId: expected a hex string, got 12");
  EXPECT_EQ(problem_of(line_with_raw_span(R"({"traceId":"4bf92f3577b34da6a3ce929d0e0e4736"})")),
            span + "spanId: missing");
  EXPECT_EQ(problem_of(line_with_raw_span(
                R"({"traceId":"S/kvNXezTaajzpKdDg5HNg==","spanId":"00f067aa0ba902b7"})")),
            span + R"(traceId: expected 32 hex digits, got "S/kvNXezTaajzpKdDg5HNg==" )"
                   "(OTLP/JSON ids are hex, not base64)");
  EXPECT_EQ(problem_of(line_with_raw_span(
                R"({"traceId":"00000000000000000000000000000000","spanId":"00f067aa0ba902b7"})")),
            span + "traceId: all zeros, which is not a valid id");
  EXPECT_EQ(problem_of(line_with_span(R"("parentSpanId":"zz67aa0ba902b7zz")")),
            span + R"(parentSpanId: expected 16 hex digits, got "zz67aa0ba902b7zz")");
  EXPECT_EQ(problem_of(line_with_span(R"("kind":"SPAN_KIND_SIDEWAYS")")),
            span + R"(kind: unknown value "SPAN_KIND_SIDEWAYS")");
  EXPECT_EQ(problem_of(line_with_span(R"("kind":true)")),
            span + "kind: expected an enum number, got true");
  EXPECT_EQ(problem_of(line_with_span(R"("kind":4294967296)")),
            span + "kind: enum value out of range: 4294967296");
  EXPECT_EQ(problem_of(line_with_span(R"("status":[])")),
            span + "status: expected an object, got an array");
  EXPECT_EQ(problem_of(line_with_span(R"("attributes":[{"key":5,"value":{"stringValue":"x"}}])")),
            span + "attributes[0].key: expected a string, got 5");
  EXPECT_EQ(problem_of(line_with_span(R"("attributes":[{"key":"k","value":{"boolValue":"yes"}}])")),
            span + R"(attributes[0].value.boolValue: expected true or false, got "yes")");
  EXPECT_EQ(problem_of(line_with_span(
                R"("events":[{"attributes":[{"key":"k","value":{"intValue":"1.5"}}]}])")),
            span +
                "events[0].attributes[0].value.intValue: "
                R"(expected a signed 64-bit integer, got "1.5")");
  EXPECT_EQ(problem_of(R"({"resourceSpans":"x"})"), R"(resourceSpans: expected an array, got "x")");
  EXPECT_EQ(problem_of(R"({"resourceSpans":[{"resource":{"attributes":{}}}]})"),
            "resourceSpans[0].resource.attributes: expected an array, got an object");
}

TEST(TraceFileTest, NumbersOutOfRangeAreReportedNotWrapped) {
  const std::string start = "resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano: ";
  EXPECT_EQ(problem_of(line_with_span(R"("startTimeUnixNano":"18446744073709551616")")),
            start + R"(expected an unsigned 64-bit integer, got "18446744073709551616")");
  EXPECT_EQ(problem_of(line_with_span(R"("startTimeUnixNano":"-1")")),
            start + R"(expected an unsigned 64-bit integer, got "-1")");
  EXPECT_EQ(problem_of(line_with_span(R"("startTimeUnixNano":"12abc")")),
            start + R"(expected an unsigned 64-bit integer, got "12abc")");
  EXPECT_EQ(problem_of(line_with_span(R"("startTimeUnixNano":"")")),
            start + R"(expected an unsigned 64-bit integer, got "")");
  EXPECT_EQ(problem_of(line_with_span(R"("startTimeUnixNano":1.5)")),
            start + "expected an unsigned 64-bit integer, got 1.5");
  EXPECT_EQ(problem_of(line_with_span(R"("startTimeUnixNano":123456789012345678901234567890)")),
            start + "expected an unsigned 64-bit integer, got 1.2345678901234568e+29");
  EXPECT_NE(problem_of(line_with_span(R"("startTimeUnixNano":1e400)")).find("not valid JSON"),
            std::string::npos);
  EXPECT_EQ(problem_of(line_with_span(R"("flags":4294967296)")),
            "resourceSpans[0].scopeSpans[0].spans[0].flags: does not fit in 32 bits");

  TraceFileContents largest =
      read_text(line_with_span(R"("endTimeUnixNano":"18446744073709551615")"));
  ASSERT_EQ(largest.spans.size(), 1u);
  EXPECT_EQ(largest.spans[0].end_ns, UINT64_MAX);
}

TEST(TraceFileTest, ReportsQuoteTheBytesOfBrokenJsonOnlyAsPrintableText) {
  // The JSON parser's message quotes the bytes it read last; they reach a terminal.
  const std::string raw_byte = problem_of("{\"name\":\xff}");
  EXPECT_EQ(raw_byte,
            "not valid JSON: column 9: syntax error while parsing value - invalid "
            "literal; last read: '\"name\":\\xff'");
  const std::string escape = problem_of(line_with_span("\"name\":\"\x1b[31m\""));
  EXPECT_EQ(escape.find('\x1b'), std::string::npos) << escape;
  EXPECT_NE(escape.find("control character U+001B (ESC) must be escaped"), std::string::npos)
      << escape;
}

TEST(TraceFileTest, MalformedLinesAreReportedWithTheirNumbersAndTheRestIsKept) {
  const std::string path = kFixtures + "/malformed.jsonl";
  TraceFileContents contents = read_trace_files({path});
  ASSERT_EQ(contents.spans.size(), 2u);
  EXPECT_EQ(contents.spans[0].name, "kept");
  EXPECT_EQ(contents.spans[1].name, "also kept");
  EXPECT_EQ(contents.malformed_lines, 5u);
  EXPECT_FALSE(contents.unreadable);
  const std::vector<std::string> expected = {
      path +
          ":2: not valid JSON: column 3: syntax error while parsing object key - invalid "
          "literal; last read: '{no'; expected string literal",
      path +
          ":4: resourceSpans[0].scopeSpans[0].spans[0].traceId: expected 32 hex digits, got "
          "\"short\"",
      path + ":5: expected a JSON object (an ExportTraceServiceRequest), got an array",
      // A line is kept or dropped whole: its good first span is dropped with the bad second one.
      path +
          ":7: resourceSpans[0].scopeSpans[0].spans[1].startTimeUnixNano: expected an "
          "unsigned 64-bit integer, got \"-5\"",
      path + ":9: resourceSpans[0].scopeSpans[0].spans: expected an array, got an object"};
  EXPECT_EQ(contents.problems, expected);
}

// Found by the collect_proto_fuzz target: `weft collect` stores a protobuf attribute whose key is
// empty without a "key" member (the protobuf JSON mapping omits defaults), and a reader that
// demanded one dropped the whole request as malformed.
TEST(TraceFileTest, ASpanReadAfterARichOneKeepsNothingOfIt) {
  // The reader reuses the records of earlier lines when the sink leaves them (as weft check's
  // does): nothing of the first span may show in the second.
  const std::string rich =
      R"({"resourceSpans":[{"resource":{"attributes":[{"key":"process.pid","value":{"intValue":"9"}}]},)"
      R"("scopeSpans":[{"scope":{"name":"s"},"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736",)"
      R"("spanId":"00f067aa0ba902b7","parentSpanId":"b7ad6b7169203331","name":"rich","kind":2,)"
      R"("startTimeUnixNano":"5","endTimeUnixNano":"6","flags":1,"attributes":[{"key":"a","value":)"
      R"({"intValue":"1"}}],"events":[{"name":"e"}],"links":[{"traceId":)"
      R"("0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331"}],)"
      R"("status":{"code":2,"message":"m"}}]}]}]})";
  std::istringstream input(rich + "\n" + line_with_span(""));
  std::vector<SpanRecord> seen;
  TraceFileContents contents;
  stream_trace_stream(input, "input", [&](SpanRecord&& span) { seen.push_back(span); }, contents);
  ASSERT_TRUE(contents.problems.empty()) << contents.problems.front();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].name, "rich");
  EXPECT_EQ(seen[0].events.size(), 1u);
  const SpanRecord& bare = seen[1];
  EXPECT_EQ(bare.span_id, "00f067aa0ba902b7");
  EXPECT_EQ(bare.parent_span_id, "");
  EXPECT_EQ(bare.name, "");
  EXPECT_EQ(bare.kind, kKindUnspecified);
  EXPECT_EQ(bare.start_ns, 0u);
  EXPECT_EQ(bare.end_ns, 0u);
  EXPECT_EQ(bare.flags, 0u);
  EXPECT_TRUE(bare.attributes.empty());
  EXPECT_TRUE(bare.events.empty());
  EXPECT_TRUE(bare.links.empty());
  EXPECT_EQ(bare.status_code, kStatusUnset);
  EXPECT_EQ(bare.status_message, "");
  EXPECT_EQ(bare.scope_name, "");
  ASSERT_NE(bare.resource, nullptr);
  EXPECT_TRUE(bare.resource->empty());
  EXPECT_EQ(bare.location, "input:2");
}

TEST(TraceFileTest, AnAttributeWithoutAKeyHasTheEmptyKey) {
  const TraceFileContents contents =
      read_text(line_with_span(R"("attributes":[{"value":{"stringValue":"x"}},{"key":"k"}])"));
  EXPECT_TRUE(contents.problems.empty());
  ASSERT_EQ(contents.spans.size(), 1u);
  ASSERT_EQ(contents.spans[0].attributes.size(), 2u);
  EXPECT_EQ(contents.spans[0].attributes[0].first, "");
  EXPECT_EQ(contents.spans[0].attributes[0].second, "x");
  EXPECT_EQ(contents.spans[0].attributes[1].first, "k");
}

TEST(TraceFileTest, BlankLinesCarriageReturnsAndUnknownFieldsAreFine) {
  const std::string with_unknown_fields =
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736",)"
      R"("spanId":"00f067aa0ba902b7","name":"n","newField":{"a":[1]}}],"newToo":1}]}],)"
      R"("partialSuccess":{}})";
  TraceFileContents contents = read_text("\n   \r\n" + with_unknown_fields + "\r\n\n" +
                                         R"({"resourceSpans":[]})" + "\n{}\n");
  EXPECT_TRUE(contents.problems.empty());
  ASSERT_EQ(contents.spans.size(), 1u);
  EXPECT_EQ(contents.spans[0].name, "n");
  EXPECT_EQ(contents.spans[0].location, "input:3");
}

TEST(TraceFileTest, OnlyTheFirstProblemsOfAFileAreListed) {
  std::string text;
  for (int i = 0; i < 50; ++i) text += "not json\n";
  TraceFileContents contents = read_text(text);
  EXPECT_EQ(contents.malformed_lines, 50u);
  ASSERT_EQ(contents.problems.size(), kMaxListedProblems + 1);
  EXPECT_EQ(contents.problems.back(), "input: 30 more malformed lines not listed");
}

TEST(TraceFileTest, FilesThatCannotBeReadAreErrorsAndTheOthersAreStillRead) {
  TraceFileContents contents = read_trace_files(
      {"/nonexistent/traces.jsonl", kFixtures, kFixtures + "/collector_file_exporter.jsonl"});
  EXPECT_TRUE(contents.unreadable);
  EXPECT_EQ(contents.malformed_lines, 0u);
  const std::vector<std::string> expected = {
      "/nonexistent/traces.jsonl: cannot open: No such file or directory",
      kFixtures + ": is a directory"};
  EXPECT_EQ(contents.problems, expected);
  EXPECT_EQ(contents.spans.size(), 7u);
}

}  // namespace
}  // namespace weft::cli
