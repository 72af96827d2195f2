// The two readers of one OTLP/JSON line (weft check/view/html): the quick SAX reader must accept
// exactly what the thorough DOM reader accepts, with the same spans, or leave the line to it.
#include "trace_line.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

namespace weft::cli {
namespace {

const std::string kFixtures = WEFT_TEST_FIXTURES;

std::string describe_attributes(const Attributes& attributes) {
  std::string text = "{";
  for (const auto& [key, value] : attributes) text += key + "=" + value + ";";
  return text + "}";
}

// Every field of a span, resource and scope included, as one comparable text.
std::string describe(const SpanRecord& span) {
  std::string text =
      span.trace_id + "/" + span.span_id + "/" + span.parent_span_id + " name=" + span.name +
      " kind=" + std::to_string(span.kind) + " start=" + std::to_string(span.start_ns) +
      " end=" + std::to_string(span.end_ns) + " flags=" + std::to_string(span.flags) +
      " attributes=" + describe_attributes(span.attributes) + " events=";
  for (const SpanEvent& event : span.events) {
    text +=
        event.name + "@" + std::to_string(event.time_ns) + describe_attributes(event.attributes);
  }
  text += " links=";
  for (const SpanLink& link : span.links) {
    text += link.trace_id + "/" + link.span_id + describe_attributes(link.attributes);
  }
  text += " status=" + std::to_string(span.status_code) + ":" + span.status_message +
          " resource=" + (span.resource ? describe_attributes(*span.resource) : "null") +
          " scope=" + span.scope_name + " at " + span.location;
  return text;
}

std::vector<std::string> describe(const std::vector<SpanRecord>& spans) {
  std::vector<std::string> texts;
  for (const SpanRecord& span : spans) texts.push_back(describe(span));
  return texts;
}

struct Outcome {
  bool quick_accepted = false;
  bool thorough_accepted = false;
};

// Reads `line` both ways and checks that they agree. `what` names the case in failures.
Outcome read_both_ways(const std::string& line, const std::string& what) {
  std::vector<SpanRecord> quick, thorough;
  Outcome outcome;
  outcome.quick_accepted = read_line_quickly(line, "f:1", quick);
  outcome.thorough_accepted = !read_line_thoroughly(line, "f:1", thorough).has_value();
  if (outcome.quick_accepted) {
    EXPECT_TRUE(outcome.thorough_accepted)
        << "the quick reader accepted a malformed line: " << what << "\n"
        << line;
    EXPECT_EQ(describe(quick), describe(thorough)) << what << "\n" << line;
  } else {
    EXPECT_TRUE(quick.empty()) << "spans left behind by a line given up on: " << what;
  }
  return outcome;
}

// A request with most of what OTLP/JSON can hold: two resources, two scopes, ids in both cases,
// numbers and strings for integers, every scalar kind of attribute value, events, links, status.
const std::string kRichLine =
    R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"shop"}},)"
    R"({"key":"process.pid","value":{"intValue":"4242"}},{"key":"host.name","value":{"stringValue":"h"}}],)"
    R"("droppedAttributesCount":0},"scopeSpans":[{"scope":{"name":"lib","version":"1"},"spans":[)"
    R"({"traceId":"4BF92F3577B34DA6A3CE929D0E0E4736","spanId":"00f067aa0ba902b7","name":"GET /","kind":2,)"
    R"("startTimeUnixNano":"1700000000000000000","endTimeUnixNano":1700000001000000000,"flags":257,)"
    R"("attributes":[{"key":"thread.id","value":{"intValue":7}},{"key":"ok","value":{"boolValue":true}},)"
    R"({"key":"ratio","value":{"doubleValue":0.5}},{"key":"raw","value":{"bytesValue":"AAE="}},)"
    R"({"key":"empty","value":{}}],"events":[{"name":"retry","timeUnixNano":"5","attributes":[)"
    R"({"key":"n","value":{"intValue":"-3"}}]}],"links":[{"traceId":"0af7651916cd43dd8448eb211c80319c",)"
    R"("spanId":"b7ad6b7169203331","attributes":[]}],"status":{"code":2,"message":"bad"}},)"
    R"({"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"53995c3f42cd8ad8",)"
    R"("parentSpanId":"00f067aa0ba902b7","name":"child","kind":"SPAN_KIND_CLIENT","status":{"code":"STATUS_CODE_OK"}}]}]},)"
    R"({"scopeSpans":[{"spans":[{"trace_id":"0af7651916cd43dd8448eb211c80319c","span_id":"1a2b3c4d5e6f7081",)"
    R"("start_time_unix_nano":1e3,"parent_span_id":""}]}]}]})";

TEST(TraceLineTest, BothReadersGiveTheSameSpansForTheFixturesAndARichLine) {
  std::vector<std::string> lines = {kRichLine};
  std::ifstream fixture(kFixtures + "/collector_file_exporter.jsonl");
  for (std::string line; std::getline(fixture, line);) lines.push_back(line);
  ASSERT_GE(lines.size(), 3u);
  for (const std::string& line : lines) {
    const Outcome outcome = read_both_ways(line, "as written");
    EXPECT_TRUE(outcome.quick_accepted) << "a plain line must not need the thorough reader";
  }
  std::vector<SpanRecord> spans;
  ASSERT_TRUE(read_line_quickly(kRichLine, "f:1", spans));
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_EQ(spans[0].trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(spans[0].attribute("ratio"), "0.5");
  EXPECT_EQ(spans[0].attribute("raw"), "base64:AAE=");
  EXPECT_EQ(spans[0].resource, spans[1].resource) << "one resource per resourceSpans entry";
  EXPECT_NE(spans[1].resource, spans[2].resource);
  EXPECT_TRUE(spans[2].resource->empty()) << "no resource is an empty one, never null";
  EXPECT_EQ(spans[2].start_ns, 1000u);
}

TEST(TraceLineTest, FieldsInAnyOrderNestedUnknownsAndEscapesAreReadQuickly) {
  const std::vector<std::string> lines = {
      // Spans before their scope, scopes before their resource: names still apply to all.
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"spanId":"00f067aa0ba902b7","name":"n",)"
      R"("traceId":"4bf92f3577b34da6a3ce929d0e0e4736"}],"scope":{"name":"late scope"}}],)"
      R"("resource":{"attributes":[{"value":{"stringValue":"late"},"key":"service.name"}]}}]})",
      // Unknown fields holding nested objects and arrays, at every level.
      R"({"future":{"a":[1,{"b":[[],{}]}],"resourceSpans":"not ours"},"resourceSpans":[{"x":[{"y":{}}],)"
      R"("scopeSpans":[{"z":{"spans":[1]},"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736",)"
      R"("spanId":"00f067aa0ba902b7","extra":{"traceId":5},"status":{"deep":{"code":"x"}}}]}]}]})",
      // Escapes in names, keys and values: decoded the same way by both.
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736",)"
      R"("spanId":"00f067aa0ba902b7","name":"say \"hi\"\n\u00e9\ud83d\ude00\\/",)"
      R"("attributes":[{"key":"k\u0020y","value":{"stringValue":"tab\there"}}]}]}]}]})",
      // An escaped key is the key it spells.
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"trace\u0049d":"4bf92f3577b34da6a3ce929d0e0e4736",)"
      R"("spanId":"00f067aa0ba902b7"}]}]}]})",
      // Null fields are absent; nothing at all is an empty request.
      R"({"resourceSpans":[{"resource":null,"scopeSpans":[{"scope":null,"spans":[{"traceId":)"
      R"("4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","parentSpanId":null,)"
      R"("name":null,"attributes":[{"key":"k","value":{"stringValue":null,"intValue":"1"}}]}]}]}]})",
      R"({})",
      R"({"resourceSpans":null})",
  };
  for (const std::string& line : lines) {
    const Outcome outcome = read_both_ways(line, "unusual but plain");
    EXPECT_TRUE(outcome.quick_accepted) << line;
  }
  std::vector<SpanRecord> spans;
  ASSERT_TRUE(read_line_quickly(lines[0], "f:1", spans));
  EXPECT_EQ(spans[0].scope_name, "late scope");
  EXPECT_EQ(spans[0].resource_attribute("service.name"), "late");
  spans.clear();
  ASSERT_TRUE(read_line_quickly(lines[2], "f:1", spans));
  EXPECT_EQ(spans[0].name, "say \"hi\"\n\xc3\xa9\xf0\x9f\x98\x80\\/");
  EXPECT_EQ(spans[0].attribute("k y"), "tab\there");
}

// The quick reader's parser (RapidJSON) checks no UTF-8, takes an escaped low surrogate on its own
// and lets the control characters 0x1a-0x1f through in strings; the thorough one (nlohmann) does
// none of these. Lines where they would differ must read as the
// thorough one reads them, whichever reader reads them.
TEST(TraceLineTest, WhereTheQuickParserIsLaxTheLineReadsAsTheGrammarSays) {
  const auto line = [](const std::string& name) {
    return R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736",)"
           R"("spanId":"00f067aa0ba902b7","name":")" + name + R"("}]}]}]})";
  };
  const std::vector<std::string> malformed = {
      line(R"(\udc00)"),                       // a low surrogate alone
      line(R"(a\ude00b)"),                     // the same inside text
      line(R"(\\\udc00)"),                     // after an escaped backslash
      line(R"(\ud83d\ude00\ude00)"),           // a pair, then a low one alone
      line("\xff"),                            // not UTF-8
      line("\xc3\x28"),                        // a broken sequence
      line("\xed\xa0\x80"),                    // a surrogate in UTF-8
      line("\xc0\xaf"),                        // an overlong form
      line("\x1a"), line("a\x1f"),                    // control characters unescaped
      line("0123456789abcdef\x1e"),                    // (caught by the fuzzer)
  };
  for (const std::string& text : malformed) {
    std::vector<SpanRecord> spans;
    EXPECT_FALSE(read_line_quickly(text, "f:1", spans)) << text;
    EXPECT_TRUE(spans.empty());
    EXPECT_TRUE(read_line_thoroughly(text, "f:1", spans).has_value()) << text;
  }
  const std::vector<std::pair<std::string, std::string>> well_formed = {
      {line(R"(\ud83d\ude00)"), "\xf0\x9f\x98\x80"},      // a pair
      {line(R"(\\udc00)"), "\\udc00"},                      // an escaped backslash, then text
      {line(R"(\\\ud83d\ude00)"), "\\\xf0\x9f\x98\x80"},  // both
      {line("\xc3\xa9\xe2\x82\xac"), "\xc3\xa9\xe2\x82\xac"},
      // Both parsers end the input at a NUL byte.
      {line("a") + std::string(1, '\0') + "trailing", "a"},
  };
  for (const auto& [text, name] : well_formed) {
    const Outcome outcome = read_both_ways(text, "well formed");
    EXPECT_TRUE(outcome.quick_accepted) << text;
    std::vector<SpanRecord> spans;
    ASSERT_TRUE(read_line_quickly(text, "f:1", spans)) << text;
    EXPECT_EQ(spans[0].name, name);
  }
}

// Numbers reach the quick reader as text and are read as the thorough one (nlohmann) reads them:
// integers that fit 64 bits as integers, the rest as strtod's double.
TEST(TraceLineTest, NumbersAtTheEdgesReadTheSameBothWays) {
  const std::vector<std::string> numbers = {
      "0", "-0", "1", "-1", "9223372036854775807", "-9223372036854775808", "-9223372036854775809",
      "18446744073709551615", "18446744073709551616", "123456789012345678901234567890", "0.1",
      "-0.0", "2.5e3", "1E-3", "1e308", "1.7976931348623157e308", "4.9e-324", "1e-400",
      "0.30000000000000004", "1700000000000000000.0", "17e17",
      // Beyond a double: RapidJSON checks the exponent alone (found by a review).
      "2e308", "1.8e308", "-2e308", "1000e306", "1.7976931348623159e308"};
  for (const std::string& number : numbers) {
    for (const std::string& field :
         {R"("startTimeUnixNano":)" + number,
          R"("attributes":[{"key":"d","value":{"doubleValue":)" + number + "}}]",
          R"("attributes":[{"key":"i","value":{"intValue":)" + number + "}}]",
          R"("kind":)" + number}) {
      const std::string text =
          R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736",)"
          R"("spanId":"00f067aa0ba902b7",)" + field + "}]}]}]}";
      read_both_ways(text, number);
    }
  }
  std::vector<SpanRecord> spans;
  ASSERT_TRUE(read_line_quickly(
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736",)"
      R"("spanId":"00f067aa0ba902b7","startTimeUnixNano":17e17,"attributes":[{"key":"d","value":)"
      R"({"doubleValue":0.1}},{"key":"i","value":{"intValue":-9223372036854775808}}]}]}]}]})",
      "f:1", spans));
  EXPECT_EQ(spans[0].start_ns, 1700000000000000000u);
  EXPECT_EQ(spans[0].attribute("d"), "0.1");
  EXPECT_EQ(spans[0].attribute("i"), "-9223372036854775808");
}

TEST(TraceLineTest, RareShapesAreLeftToTheThoroughReader) {
  const std::string ids =
      R"("traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7")";
  const auto line = [](const std::string& span) {
    return R"({"resourceSpans":[{"scopeSpans":[{"spans":[{)" + span + "}]}]}]}";
  };
  const std::vector<std::string> lines = {
      line(ids + R"(,"name":"first","name":"second")"),
      line(ids + R"(,"name":"camel","name_":"x","name":"again")"),
      line(R"("trace_id":"0af7651916cd43dd8448eb211c80319c",)" + ids),
      line(ids +
           R"(,"attributes":[{"key":"list","value":{"arrayValue":{"values":[{"intValue":1}]}}}])"),
      line(ids + R"(,"attributes":[{"key":"map","value":{"kvlistValue":{"values":[]}}}])"),
      line(ids + R"(,"attributes":[{"key":"two","value":{"stringValue":"a","intValue":"1"}}])"),
  };
  for (const std::string& text : lines) {
    std::vector<SpanRecord> spans(1);  // what was there before stays
    EXPECT_FALSE(read_line_quickly(text, "f:1", spans)) << text;
    EXPECT_EQ(spans.size(), 1u);
    const Outcome outcome = read_both_ways(text, "rare shape");
    EXPECT_TRUE(outcome.thorough_accepted) << text;
  }
  std::vector<SpanRecord> spans;
  ASSERT_FALSE(read_line_thoroughly(lines[0], "f:1", spans).has_value());
  EXPECT_EQ(spans[0].name, "second") << "a repeated field: the last one counts";
  spans.clear();
  ASSERT_FALSE(read_line_thoroughly(lines[2], "f:1", spans).has_value());
  EXPECT_EQ(spans[0].trace_id, "4bf92f3577b34da6a3ce929d0e0e4736") << "camelCase wins";
}

// The protobuf JSON mapping reads a double from a number or a string: "NaN", "Infinity",
// "-Infinity", or a number written as one. Any other string used to be stored as it was.
TEST(TraceLineTest, ADoubleAsAStringIsANumberOrOneOfTheThreeNamesAndNothingElse) {
  const auto line = [](const std::string& value) {
    return R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736",)"
           R"("spanId":"00f067aa0ba902b7","attributes":[{"key":"d","value":{"doubleValue":)" +
           value + "}}]}]}]}]}";
  };
  const std::vector<std::pair<std::string, std::string>> accepted = {
      {R"("NaN")", "NaN"},       {R"("Infinity")", "Infinity"}, {R"("-Infinity")", "-Infinity"},
      {R"("2.5")", "2.5"},       {"2.5", "2.5"},                {R"("-1e-3")", "-0.001"},
      {R"("1E3")", "1000.0"},    {"1E3", "1000.0"},             {R"("0")", "0.0"},
      {R"("1e-400")", "0.0"},    {"1e-400", "0.0"}};  // too small: 0, as strtod reads it
  for (const auto& [value, shown] : accepted) {
    const Outcome outcome = read_both_ways(line(value), value);
    EXPECT_TRUE(outcome.quick_accepted) << value;
    std::vector<SpanRecord> spans;
    ASSERT_TRUE(read_line_quickly(line(value), "f:1", spans)) << value;
    EXPECT_EQ(spans[0].attribute("d"), shown) << value;
  }
  for (const std::string value : {R"("abc")", R"("")", R"(" 1")", R"("1 ")", R"("+1")",
                                  R"("0x10")", R"("1e999")", R"("nan")", R"("inf")", R"(".5")",
                                  R"("01")", R"("1.")"}) {
    const Outcome outcome = read_both_ways(line(value), value);
    EXPECT_FALSE(outcome.thorough_accepted) << value;
    std::vector<SpanRecord> spans;
    const auto error = read_line_thoroughly(line(value), "f:1", spans);
    ASSERT_TRUE(error.has_value()) << value;
    EXPECT_NE(error->path.find("doubleValue"), std::string::npos) << error->path << ": " << error->reason;
  }
}

// Where each value of `line` is: the offsets after every ':' outside strings, and the ends of
// the values there.
std::vector<std::pair<std::size_t, std::size_t>> value_ranges(const std::string& line) {
  std::vector<std::pair<std::size_t, std::size_t>> ranges;
  bool in_string = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (in_string) {
      if (line[i] == '\\')
        ++i;
      else if (line[i] == '"')
        in_string = false;
      continue;
    }
    if (line[i] == '"') in_string = true;
    if (line[i] != ':') continue;
    std::size_t end = i + 1;
    int depth = 0;
    bool inside = false;
    for (; end < line.size(); ++end) {
      const char c = line[end];
      if (inside) {
        if (c == '\\')
          ++end;
        else if (c == '"')
          inside = false;
        if (depth == 0 && !inside) {
          ++end;
          break;
        }
        continue;
      }
      if (c == '"')
        inside = true;
      else if (c == '{' || c == '[')
        ++depth;
      else if ((c == '}' || c == ']') && depth > 0 && --depth == 0) {
        ++end;
        break;
      } else if (depth == 0 && (c == ',' || c == '}' || c == ']'))
        break;
    }
    ranges.emplace_back(i + 1, end);
  }
  return ranges;
}

TEST(TraceLineTest, EveryValueSwappedForAnotherKindReadsTheSameBothWays) {
  const std::vector<std::string> replacements = {"null",
                                                 "0",
                                                 "-1",
                                                 "1.5",
                                                 "4294967296",
                                                 "1e3",
                                                 "18446744073709551616",
                                                 "true",
                                                 R"("")",
                                                 R"("x")",
                                                 R"("7")",
                                                 R"("-7")",
                                                 R"("4bf92f3577b34da6a3ce929d0e0e4736")",
                                                 R"("00000000000000000000000000000000")",
                                                 R"("00f067aa0ba902b7")",
                                                 R"("SPAN_KIND_SERVER")",
                                                 "{}",
                                                 "[]",
                                                 "[null]",
                                                 "[1]",
                                                 "[{}]",
                                                 R"({"stringValue":"v"})"};
  std::size_t accepted_quickly = 0;
  std::size_t rejected = 0;
  for (const auto& [begin, end] : value_ranges(kRichLine)) {
    for (const std::string& replacement : replacements) {
      const std::string line = kRichLine.substr(0, begin) + replacement + kRichLine.substr(end);
      const Outcome outcome =
          read_both_ways(line, kRichLine.substr(0, begin) + "<" + replacement + ">");
      accepted_quickly += outcome.quick_accepted ? 1 : 0;
      rejected += outcome.thorough_accepted ? 0 : 1;
    }
  }
  // Both outcomes happen often: the agreement above is not that of a reader that takes nothing.
  EXPECT_GT(accepted_quickly, 300u);
  EXPECT_GT(rejected, 300u);
}

TEST(TraceLineTest, EveryByteChangedOrDroppedReadsTheSameBothWays) {
  // A few bytes that change a string, a number, the nesting or an escape (few: under ASan each
  // case costs a millisecond or more).
  const std::string replacements = "\"0{]\\";
  std::size_t accepted_quickly = 0;
  for (std::size_t i = 0; i < kRichLine.size(); ++i) {
    std::string dropped = kRichLine;
    dropped.erase(i, 1);
    accepted_quickly += read_both_ways(dropped, "dropped byte " + std::to_string(i)).quick_accepted;
    for (const char replacement : replacements) {
      std::string changed = kRichLine;
      changed[i] = replacement;
      accepted_quickly +=
          read_both_ways(changed, "byte " + std::to_string(i) + " = " + replacement).quick_accepted;
    }
  }
  EXPECT_GT(accepted_quickly, 2000u);
}

}  // namespace
}  // namespace weft::cli
