// A span whose only processor is a batch processor keeps its attributes as queue bytes while it is
// recorded (trace/attribute_bytes.h). Whatever is set, replaced, cut or dropped, what is exported
// must be what the vector form keeps: checked against it operation by operation, and end to end
// against the simple processor's spans.
#include "trace/attribute_bytes.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "test_provider.h"
#include "trace/attribute_limits.h"
#include "weft/weft.h"

namespace weft {
namespace {

Attributes contents(const detail::AttributeBytes& bytes) {
  detail::AttributeBytes copy = bytes;
  Attributes out;
  copy.move_to(out);
  EXPECT_TRUE(copy.empty());
  return out;
}

// Random puts on keys from a pool, against the vector form (put_attribute_as): the same attributes
// in the same order, and the same dropped count, after every step. A pool of 200 keys sets every
// one of the 64 key bits many times over, so searches that the bits cannot skip are exercised too.
TEST(AttributeBytesTest, EveryPutKeepsWhatTheVectorFormKeeps) {
  std::mt19937_64 random(20261202);
  for (const std::size_t pool : {3, 12, 200}) {
    for (const std::size_t max_count :
         {std::size_t{0}, std::size_t{2}, std::size_t{8}, std::size_t{128}}) {
      detail::AttributeBytes bytes;
      Attributes vector;
      std::uint32_t bytes_dropped = 0;
      std::uint32_t vector_dropped = 0;
      for (int step = 0; step < 400; ++step) {
        const std::string key =
            "k" + std::string(random() % 3 == 0 ? 12 : 0, 'x') + std::to_string(random() % pool);
        switch (random() % 4) {
          case 0: {
            const bool value = random() % 2 != 0;
            bytes.put_bool(key, value, max_count, bytes_dropped);
            detail::put_attribute_as<bool>(vector, vector_dropped, key, value, max_count);
            break;
          }
          case 1: {
            const auto value = static_cast<std::int64_t>(random());
            bytes.put_int(key, value, max_count, bytes_dropped);
            detail::put_attribute_as<std::int64_t>(vector, vector_dropped, key, value, max_count);
            break;
          }
          case 2: {
            const double value = static_cast<double>(random() % 1000) / 7.0;
            bytes.put_double(key, value, max_count, bytes_dropped);
            detail::put_attribute_as<double>(vector, vector_dropped, key, value, max_count);
            break;
          }
          default: {
            const std::string value(random() % 40, static_cast<char>('a' + random() % 26));
            bytes.put_string(key, value, max_count, bytes_dropped);
            detail::put_attribute_as<std::string>(vector, vector_dropped, key, value, max_count);
            break;
          }
        }
        ASSERT_EQ(contents(bytes), vector)
            << "pool " << pool << ", limit " << max_count << ", step " << step;
        ASSERT_EQ(bytes.count(), vector.size());
        ASSERT_EQ(bytes_dropped, vector_dropped);
      }
      bytes.clear();
      EXPECT_TRUE(contents(bytes).empty());
      bytes.put_int("after.clear", 1, max_count, bytes_dropped);
      EXPECT_EQ(bytes.count(), max_count == 0 ? 0u : 1u);
    }
  }
}

TEST(AttributeBytesTest, AReplacedValueOfAnotherSizeMovesTheAttributesAfterIt) {
  detail::AttributeBytes bytes;
  std::uint32_t dropped = 0;
  bytes.put_string("first", "short", 8, dropped);
  bytes.put_int("second", 2, 8, dropped);
  bytes.put_string("third", "three", 8, dropped);
  bytes.put_string("first", std::string(300, 'L'), 8, dropped);  // grows the buffer too
  bytes.put_bool("second", true, 8, dropped);
  bytes.put_string("third", "", 8, dropped);
  const Attributes expected = {KeyValue("first", std::string(300, 'L')), KeyValue("second", true),
                               KeyValue("third", "")};
  EXPECT_EQ(contents(bytes), expected);
  EXPECT_EQ(dropped, 0u);
}

TEST(AttributeBytesTest, AKeyThatIsThereIsReplacedEvenAtTheCountLimit) {
  detail::AttributeBytes bytes;
  std::uint32_t dropped = 0;
  bytes.put_int("a", 1, 2, dropped);
  bytes.put_int("b", 2, 2, dropped);
  bytes.put_int("c", 3, 2, dropped);
  bytes.put_int("a", 10, 2, dropped);
  const Attributes expected = {KeyValue("a", 10), KeyValue("b", 2)};
  EXPECT_EQ(contents(bytes), expected);
  EXPECT_EQ(dropped, 1u);
}

// End to end: the same span recorded through a batch processor (attributes kept as bytes) and
// through a simple processor (kept as a vector) is exported the same.
std::vector<SpanData> record_through(
    std::unique_ptr<SpanProcessor> (*make)(std::unique_ptr<SpanExporter>),
    void (*record)(Tracer&)) {
  auto spans = std::make_shared<InMemorySpans>();
  Options options;
  options.processors.push_back(make(make_memory_exporter(spans)));
  SpanLimits limits;
  limits.attribute_count = 5;
  limits.attribute_value_length = 6;
  options.limits = limits;
  TracerProvider provider(finalize_config(std::move(options), testing::fake_environment({})));
  Tracer tracer = provider.tracer("test");
  record(tracer);
  EXPECT_TRUE(provider.force_flush(std::chrono::seconds(10)));
  return spans->spans();
}

std::unique_ptr<SpanProcessor> batch(std::unique_ptr<SpanExporter> exporter) {
  return make_batch_processor(std::move(exporter));
}

void expect_same_attributes(void (*record)(Tracer&)) {
  const std::vector<SpanData> batched = record_through(&batch, record);
  const std::vector<SpanData> simple = record_through(&make_simple_processor, record);
  ASSERT_EQ(batched.size(), simple.size());
  ASSERT_FALSE(simple.empty());
  for (std::size_t i = 0; i < simple.size(); ++i) {
    EXPECT_EQ(batched[i].name, simple[i].name);
    EXPECT_EQ(batched[i].attributes, simple[i].attributes) << simple[i].name;
    EXPECT_EQ(batched[i].dropped_attributes_count, simple[i].dropped_attributes_count)
        << simple[i].name;
  }
}

TEST(AttributeBytesTest, ABatchProcessorsSpansExportTheAttributesASimpleProcessorsDo) {
  expect_same_attributes([](Tracer& tracer) {
    StartSpanOptions options;
    options.attributes = {KeyValue("at.start", "started"), KeyValue("number", 1)};
    Span span = tracer.start_span("scalars", options);
    span.set_attribute("number", "now a string that is cut")
        .set_attribute("flag", false)
        .set_attribute("ratio", 0.5)
        .set_attributes({{"flag", true}, {"list.free", 9}})
        .set_attribute("beyond.limit", 1)
        .set_attribute("ratio", 1);
    span.end();
  });
}

TEST(AttributeBytesTest, AnArrayValueAfterScalarsKeepsThemAllInOrder) {
  expect_same_attributes([](Tracer& tracer) {
    Span span = tracer.start_span("array");
    span.set_attribute("first", 1).set_attribute("second", "two");
    span.set_attribute("list", std::vector<std::string>{"long value", "b"});
    span.set_attribute("first", "replaced").set_attribute("third", 3.0);
    span.end();
    tracer.start_span("after").set_attribute("reused", 1).end();  // the record, recycled
  });
}

TEST(AttributeBytesTest, ASpanQueuedAsItsRecordExportsItsAttributes) {
  expect_same_attributes([](Tracer& tracer) {
    Span other = tracer.start_span("other");
    Span span = tracer.start_span("linked");
    span.set_attribute("before.link", 1).add_link(other.context()).set_attribute("after.link", "x");
    other.end();
    span.end();
  });
}

}  // namespace
}  // namespace weft
