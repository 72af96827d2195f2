// The hand-written OTLP protobuf encoder, checked field by field with libprotobuf decoding what it
// wrote (the .proto files in tests/proto/ are written from the specification's field numbers).
#include "export/otlp_proto.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "sample_spans.h"
#include "trace_service.pb.h"

namespace weft {
namespace {

namespace otlp = opentelemetry::proto;

std::string bytes_of(const TraceId& id) {
  return std::string(reinterpret_cast<const char*>(id.bytes().data()), id.bytes().size());
}
std::string bytes_of(const SpanId& id) {
  return std::string(reinterpret_cast<const char*>(id.bytes().data()), id.bytes().size());
}

otlp::collector::trace::v1::ExportTraceServiceRequest encode_and_decode(
    const std::vector<const SpanData*>& spans) {
  detail::OtlpProtoEncoder encoder;
  std::string body;
  encoder.append_request(body, spans);
  otlp::collector::trace::v1::ExportTraceServiceRequest request;
  EXPECT_TRUE(request.ParseFromString(body));
  return request;
}

// The value libprotobuf decoded for `key`, or nullptr.
const otlp::common::v1::AnyValue* find(
    const google::protobuf::RepeatedPtrField<otlp::common::v1::KeyValue>& attributes,
    const std::string& key) {
  for (const auto& attribute : attributes) {
    if (attribute.key() == key) return &attribute.value();
  }
  return nullptr;
}

TEST(OtlpProtoEncoder, EverySpanFieldDecodesToWhatWasMeant) {
  testing::SampleSpans fixture;
  const SpanData span = fixture.full_span();
  const auto request = encode_and_decode({&span});

  ASSERT_EQ(request.resource_spans_size(), 1);
  const auto& resource_spans = request.resource_spans(0);
  EXPECT_EQ(resource_spans.schema_url(), "https://opentelemetry.io/schemas/1.24.0");
  ASSERT_EQ(resource_spans.resource().attributes_size(), 2);
  EXPECT_EQ(find(resource_spans.resource().attributes(), "service.name")->string_value(),
            "checkout");
  EXPECT_EQ(find(resource_spans.resource().attributes(), "process.pid")->int_value(), 4242);
  ASSERT_EQ(resource_spans.scope_spans_size(), 1);
  const auto& scope_spans = resource_spans.scope_spans(0);
  EXPECT_EQ(scope_spans.scope().name(), "weft.test");
  EXPECT_EQ(scope_spans.scope().version(), "1.2.3");
  EXPECT_EQ(scope_spans.schema_url(), "https://example.com/scope-schema");
  ASSERT_EQ(scope_spans.spans_size(), 1);

  const auto& decoded = scope_spans.spans(0);
  EXPECT_EQ(decoded.trace_id(), bytes_of(span.context.trace_id));
  EXPECT_EQ(decoded.span_id(), bytes_of(span.context.span_id));
  EXPECT_EQ(decoded.parent_span_id(), bytes_of(span.parent_span_id));
  EXPECT_EQ(decoded.trace_state(), "vendor=abc,other=x-y");
  // W3C flags in bits 0-7, "remote is known" (0x100) and "parent is remote" (0x200).
  EXPECT_EQ(decoded.flags(), 0x303u);
  EXPECT_EQ(decoded.name(), "charge-card");
  EXPECT_EQ(decoded.kind(), otlp::trace::v1::Span::SPAN_KIND_CLIENT);
  EXPECT_EQ(decoded.start_time_unix_nano(), 1700000000123456789ULL);
  EXPECT_EQ(decoded.end_time_unix_nano(), 1700000000987654321ULL);
  EXPECT_EQ(decoded.dropped_attributes_count(), 3u);
  EXPECT_EQ(decoded.dropped_events_count(), 4u);
  EXPECT_EQ(decoded.dropped_links_count(), 5u);

  const auto& attributes = decoded.attributes();
  ASSERT_EQ(attributes.size(), 13);  // eleven set, plus thread.id and thread.name
  EXPECT_TRUE(find(attributes, "flag")->bool_value());
  EXPECT_EQ(find(attributes, "count")->int_value(), -42);
  EXPECT_EQ(find(attributes, "big")->int_value(), INT64_MAX);
  EXPECT_EQ(find(attributes, "ratio")->double_value(), 0.25);
  EXPECT_EQ(find(attributes, "text")->string_value(), "héllo");
  // Zero and empty values still say which member of the oneof they are.
  EXPECT_EQ(find(attributes, "empty")->value_case(), otlp::common::v1::AnyValue::kStringValue);
  EXPECT_EQ(find(attributes, "zero")->value_case(), otlp::common::v1::AnyValue::kIntValue);
  const auto& bools = find(attributes, "bools")->array_value();
  ASSERT_EQ(bools.values_size(), 2);
  EXPECT_TRUE(bools.values(0).bool_value());
  EXPECT_EQ(bools.values(1).value_case(), otlp::common::v1::AnyValue::kBoolValue);
  EXPECT_FALSE(bools.values(1).bool_value());
  const auto& ints = find(attributes, "ints")->array_value();
  ASSERT_EQ(ints.values_size(), 3);
  EXPECT_EQ(ints.values(1).int_value(), -2);
  EXPECT_EQ(ints.values(2).int_value(), 300);
  const auto& doubles = find(attributes, "doubles")->array_value();
  ASSERT_EQ(doubles.values_size(), 2);
  EXPECT_EQ(doubles.values(0).double_value(), 1.5);
  EXPECT_TRUE(std::signbit(doubles.values(1).double_value()));
  const auto& strings = find(attributes, "strings")->array_value();
  ASSERT_EQ(strings.values_size(), 2);
  EXPECT_EQ(strings.values(0).string_value(), "a");
  EXPECT_EQ(strings.values(1).value_case(), otlp::common::v1::AnyValue::kStringValue);
  EXPECT_EQ(find(attributes, "thread.id")->int_value(), 777);
  EXPECT_EQ(find(attributes, "thread.name")->string_value(), "worker-1");

  ASSERT_EQ(decoded.events_size(), 1);
  EXPECT_EQ(decoded.events(0).name(), "retry");
  EXPECT_EQ(decoded.events(0).time_unix_nano(), 1700000000500000000ULL);
  EXPECT_EQ(find(decoded.events(0).attributes(), "attempt")->int_value(), 2);
  EXPECT_EQ(decoded.events(0).dropped_attributes_count(), 1u);

  ASSERT_EQ(decoded.links_size(), 1);
  const auto& link = decoded.links(0);
  EXPECT_EQ(link.trace_id(), bytes_of(TraceId::from_words(0xa1, 0xa2)));
  EXPECT_EQ(link.span_id(), bytes_of(SpanId::from_word(0xb1)));
  EXPECT_EQ(link.trace_state(), "vendor=abc,other=x-y");
  EXPECT_EQ(find(link.attributes(), "link.reason")->string_value(), "batch");
  EXPECT_EQ(link.dropped_attributes_count(), 2u);
  EXPECT_EQ(link.flags(), 0x301u);

  EXPECT_EQ(decoded.status().code(), otlp::trace::v1::Status::STATUS_CODE_ERROR);
  EXPECT_EQ(decoded.status().message(), "card declined");
}

TEST(OtlpProtoEncoder, RootSpanWithLocalParentAndNothingOptional) {
  SpanData span;
  span.context.trace_id = TraceId::from_words(1, 2);
  span.context.span_id = SpanId::from_word(3);
  span.name = "root";
  const auto request = encode_and_decode({&span});
  ASSERT_EQ(request.resource_spans_size(), 1);
  const auto& decoded = request.resource_spans(0).scope_spans(0).spans(0);
  EXPECT_TRUE(decoded.parent_span_id().empty());
  EXPECT_TRUE(decoded.trace_state().empty());
  EXPECT_EQ(decoded.flags(), 0x100u);  // not sampled, parent known to be local
  EXPECT_EQ(decoded.kind(), otlp::trace::v1::Span::SPAN_KIND_INTERNAL);
  EXPECT_EQ(decoded.status().code(), otlp::trace::v1::Status::STATUS_CODE_UNSET);
  EXPECT_EQ(decoded.attributes_size(), 0);
  EXPECT_EQ(decoded.events_size(), 0);
  EXPECT_EQ(decoded.links_size(), 0);
}

TEST(OtlpProtoEncoder, GroupsByResourceThenScopeInOrderOfFirstAppearance) {
  Resource first_resource(Attributes{{"service.name", "a"}});
  Resource second_resource(Attributes{{"service.name", "b"}});
  InstrumentationScope scope_x{"x", "", ""};
  InstrumentationScope scope_y{"y", "", ""};
  std::vector<SpanData> spans(5);
  const std::pair<const Resource*, const InstrumentationScope*> owners[] = {
      {&first_resource, &scope_x},
      {&second_resource, &scope_x},
      {&first_resource, &scope_y},
      {&first_resource, &scope_x},
      {&second_resource, &scope_x}};
  std::vector<const SpanData*> pointers;
  for (std::size_t index = 0; index < spans.size(); ++index) {
    spans[index].name = "span-" + std::to_string(index);
    spans[index].resource = owners[index].first;
    spans[index].scope = owners[index].second;
    pointers.push_back(&spans[index]);
  }
  const auto request = encode_and_decode(pointers);
  ASSERT_EQ(request.resource_spans_size(), 2);
  const auto& first = request.resource_spans(0);
  EXPECT_EQ(first.resource().attributes(0).value().string_value(), "a");
  ASSERT_EQ(first.scope_spans_size(), 2);
  EXPECT_EQ(first.scope_spans(0).scope().name(), "x");
  ASSERT_EQ(first.scope_spans(0).spans_size(), 2);
  EXPECT_EQ(first.scope_spans(0).spans(0).name(), "span-0");
  EXPECT_EQ(first.scope_spans(0).spans(1).name(), "span-3");
  EXPECT_EQ(first.scope_spans(1).scope().name(), "y");
  EXPECT_EQ(first.scope_spans(1).spans(0).name(), "span-2");
  const auto& second = request.resource_spans(1);
  EXPECT_EQ(second.resource().attributes(0).value().string_value(), "b");
  ASSERT_EQ(second.scope_spans_size(), 1);
  ASSERT_EQ(second.scope_spans(0).spans_size(), 2);
  EXPECT_EQ(second.scope_spans(0).spans(1).name(), "span-4");
}

TEST(OtlpProtoEncoder, LongValuesGetMultiByteLengthsAndTheOutputIsCanonical) {
  testing::SampleSpans fixture;
  SpanData span = fixture.full_span();
  span.name = std::string(70000, 'n');  // a three-byte length inside a four-byte one
  span.attributes.emplace_back("long", std::string(200, 'v'));
  detail::OtlpProtoEncoder encoder;
  std::string body;
  encoder.append_request(body, {&span});
  otlp::collector::trace::v1::ExportTraceServiceRequest request;
  ASSERT_TRUE(request.ParseFromString(body));
  const auto& decoded = request.resource_spans(0).scope_spans(0).spans(0);
  EXPECT_EQ(decoded.name(), span.name);
  EXPECT_EQ(find(decoded.attributes(), "long")->string_value(), std::string(200, 'v'));
  // libprotobuf writes the shortest varints: the same bytes mean no padded lengths were left.
  EXPECT_EQ(request.SerializeAsString(), body);
}

// Protobuf strings must be UTF-8, and collectors refuse a whole request over one that is not: bytes
// that start no valid sequence become U+FFFD, wherever the application's text goes, and lengths
// computed up front still match what is written (libprotobuf would fail to parse otherwise).
TEST(OtlpProtoEncoder, InvalidUtf8BecomesTheReplacementCharacterAndTheRequestStaysValid) {
  testing::SampleSpans fixture;
  SpanData span = fixture.full_span();
  const std::string bad = "a\xff\xfe" "b\xc3";  // two stray bytes, then a cut sequence
  const std::string cleaned = "a\xef\xbf\xbd\xef\xbf\xbd" "b\xef\xbf\xbd";
  span.name = bad;
  span.attributes.emplace_back("key" + bad, bad);
  span.attributes.emplace_back("list", std::vector<std::string>{bad, "ok"});
  span.events.at(0).name = bad;
  span.status = {StatusCode::kError, bad};
  span.thread_name = bad;
  span.attributes.emplace_back("fine \xc3\xa9\xe2\x82\xac", "valid UTF-8 is kept: \xf0\x9f\x99\x82");
  const auto request = encode_and_decode({&span});
  const auto& decoded = request.resource_spans(0).scope_spans(0).spans(0);
  EXPECT_EQ(decoded.name(), cleaned);
  ASSERT_NE(find(decoded.attributes(), "key" + cleaned), nullptr);
  EXPECT_EQ(find(decoded.attributes(), "key" + cleaned)->string_value(), cleaned);
  EXPECT_EQ(find(decoded.attributes(), "list")->array_value().values(0).string_value(), cleaned);
  EXPECT_EQ(find(decoded.attributes(), "thread.name")->string_value(), cleaned);
  EXPECT_EQ(decoded.events(0).name(), cleaned);
  EXPECT_EQ(decoded.status().message(), cleaned);
  ASSERT_NE(find(decoded.attributes(), "fine \xc3\xa9\xe2\x82\xac"), nullptr);
  EXPECT_EQ(find(decoded.attributes(), "fine \xc3\xa9\xe2\x82\xac")->string_value(),
            "valid UTF-8 is kept: \xf0\x9f\x99\x82");
}

TEST(OtlpProtoEncoder, AnEmptyBatchIsAnEmptyRequestAndTheEncoderIsReusable) {
  detail::OtlpProtoEncoder encoder;
  std::string body;
  encoder.append_request(body, {});
  EXPECT_TRUE(body.empty());
  testing::SampleSpans fixture;
  const SpanData span = fixture.full_span();
  encoder.append_request(body, {&span});
  const std::string once = body;
  body.clear();
  encoder.append_request(body, {&span});
  EXPECT_EQ(body, once);
}

}  // namespace
}  // namespace weft
