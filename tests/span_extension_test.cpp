// A span's attributes, events, status message and long name, written into the queue slots after
// its own (export/span_extension.h): what the export thread reads back is what was recorded,
// whatever the sizes and wherever the run of slots wraps around its segment; what cannot be
// written is left to the record path.
#include "export/span_extension.h"

#include <gtest/gtest.h>

#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "export/span_ring.h"
#include "sdk/provider_state.h"
#include "trace/span_record.h"
#include "weft/weft.h"

namespace weft::detail {
namespace {

std::string text_of(std::size_t size, char seed) {
  std::string text(size, ' ');
  for (std::size_t i = 0; i < size; ++i) text[i] = static_cast<char>('a' + (seed + i) % 26);
  return text;
}

// A record with a little of everything an extension holds.
SpanRecord decorated_record() {
  SpanRecord record;
  record.name = text_of(70, 3);  // longer than a slot's 32 bytes
  record.attributes.emplace_back("flag", true);
  record.attributes.emplace_back("count", std::int64_t{-42});
  record.attributes.emplace_back("ratio", 0.25);
  record.attributes.emplace_back("empty", "");
  record.attributes.emplace_back("long", text_of(300, 7));  // spans several slots
  record.dropped_attributes_count = 3;
  Event& event = record.events.emplace_back();
  event.name = "retry";
  event.time_unix_nano = 1234567890123;
  event.attributes.emplace_back("attempt", std::int64_t{2});
  event.dropped_attributes_count = 1;
  record.events.emplace_back().name = "done";
  record.dropped_events_count = 5;
  record.status.code = StatusCode::kError;
  record.status.message = "timed out";
  record.context.trace_state = TraceState().set("rojo", "00f067aa0ba902b7").set("congo", "t61");
  return record;
}

void expect_extension_parts_equal(const SpanData& read, const SpanData& written) {
  EXPECT_EQ(read.name, written.name);
  EXPECT_EQ(read.attributes, written.attributes);
  EXPECT_EQ(read.dropped_attributes_count, written.dropped_attributes_count);
  ASSERT_EQ(read.events.size(), written.events.size());
  for (std::size_t i = 0; i < read.events.size(); ++i) {
    EXPECT_EQ(read.events[i].name, written.events[i].name);
    EXPECT_EQ(read.events[i].time_unix_nano, written.events[i].time_unix_nano);
    EXPECT_EQ(read.events[i].attributes, written.events[i].attributes);
    EXPECT_EQ(read.events[i].dropped_attributes_count, written.events[i].dropped_attributes_count);
  }
  EXPECT_EQ(read.dropped_events_count, written.dropped_events_count);
  EXPECT_EQ(read.status.message, written.status.message);
  EXPECT_EQ(read.context.trace_state, written.context.trace_state);
}

// Writes `record`'s extension into a run of slots that starts at `first` in a segment of
// `capacity` slots, and reads it back into `out`. Every byte outside the run that
// extension_slots_for() sized must be left as it was: a sizing short of what is written would
// overwrite the next span.
constexpr unsigned char kMarker = 0xa5;
void round_trip(const SpanRecord& record, std::size_t capacity, std::size_t first, SpanData& out) {
  const std::size_t slots = extension_slots_for(record);
  ASSERT_NE(slots, kQueueAsRecord);
  ASSERT_LE(slots, capacity);
  std::vector<QueuedSpan> segment(capacity);
  std::memset(static_cast<void*>(segment.data()), kMarker, capacity * sizeof(QueuedSpan));
  const SlotRun run{segment.data(), capacity - 1, first};
  write_extension(record, run, slots);
  for (std::size_t index = 0; index < capacity; ++index) {
    const std::size_t offset = (index + capacity - first % capacity) % capacity;
    if (offset < slots) continue;  // inside the run
    const auto* bytes = reinterpret_cast<const unsigned char*>(&segment[index]);
    for (std::size_t i = 0; i < sizeof(QueuedSpan); ++i) {
      ASSERT_EQ(bytes[i], kMarker) << "slot " << index << " byte " << i;
    }
  }
  read_extension(run, slots, out);
}

TEST(SpanExtensionTest, EveryPartReadsBackAsWritten) {
  const SpanRecord record = decorated_record();
  const std::size_t slots = extension_slots_for(record);
  ASSERT_NE(slots, kQueueAsRecord);
  EXPECT_GT(slots, 3u);  // the 300-character value alone takes three slots
  SpanData out;
  round_trip(record, 64, 0, out);
  expect_extension_parts_equal(out, record);
}

TEST(SpanExtensionTest, ARunThatWrapsAroundItsSegmentReadsBackWhole) {
  const SpanRecord record = decorated_record();
  const std::size_t slots = extension_slots_for(record);
  for (std::size_t first = 64 - slots; first < 64 + 2; ++first) {
    SpanData out;
    round_trip(record, 64, first, out);
    expect_extension_parts_equal(out, record);
  }
}

// The export thread reuses its SpanData from span to span: nothing of a decorated span may be
// left in it by the next one, whether that one has a smaller extension or is plain.
TEST(SpanExtensionTest, AReusedSpanDataKeepsNothingOfTheSpanBefore) {
  const QueuedThread thread{7, "worker"};
  const ProviderState provider(
      finalize_config(Options(), [](std::string_view) { return std::nullopt; }));
  const TracerState tracer{InstrumentationScope{"extension-test", "", ""}, &provider};

  SpanData out;
  round_trip(decorated_record(), 64, 0, out);
  ASSERT_FALSE(out.attributes.empty());

  SpanRecord smaller;
  smaller.name = "n";
  smaller.attributes.emplace_back("only", "one");
  round_trip(smaller, 64, 5, out);
  out.name = smaller.name;  // a short name is the slot's, not the extension's
  expect_extension_parts_equal(out, smaller);

  round_trip(decorated_record(), 64, 9, out);
  QueuedSpan plain{};
  plain.thread = &thread;
  plain.name_length = 5;
  std::memcpy(plain.name, "plain", 5);
  plain.extension_slots = 0;
  plain.tracer = &tracer;
  copy_from_slot(plain, out);
  EXPECT_EQ(out.name, "plain");
  EXPECT_TRUE(out.attributes.empty());
  EXPECT_EQ(out.dropped_attributes_count, 0u);
  EXPECT_TRUE(out.events.empty());
  EXPECT_EQ(out.dropped_events_count, 0u);
  EXPECT_TRUE(out.status.message.empty());
  EXPECT_TRUE(out.context.trace_state.empty());
}

TEST(SpanExtensionTest, RandomSpansOfEverySizeReadBackAsWritten) {
  std::mt19937 random(99);
  for (int round = 0; round < 2000; ++round) {
    SpanRecord record;
    record.name = text_of(random() % 80, 1);
    for (std::size_t i = random() % 8; i > 0; --i) {
      const std::string key = text_of(1 + random() % 20, static_cast<char>(i));
      switch (random() % 4) {
        case 0:
          record.attributes.emplace_back(key, random() % 2 == 0);
          break;
        case 1:
          record.attributes.emplace_back(key, static_cast<std::int64_t>(random()) - 1000000);
          break;
        case 2:
          record.attributes.emplace_back(key, static_cast<double>(random()) / 7.0);
          break;
        default:
          record.attributes.emplace_back(key, text_of(random() % 200, 2));
          break;
      }
    }
    for (std::size_t i = random() % 4; i > 0; --i) {
      Event& event = record.events.emplace_back();
      event.name = text_of(random() % 40, 4);
      event.time_unix_nano = random();
      if (random() % 2 == 0) event.attributes.emplace_back("k", text_of(random() % 30, 5));
    }
    if (random() % 3 == 0) record.status.message = text_of(random() % 50, 6);
    const std::size_t slots = extension_slots_for(record);
    if (slots == 0 || slots == kQueueAsRecord) continue;
    SpanData out;
    round_trip(record, 256, random() % 256, out);
    if (record.name.size() <= QueuedSpan::kInlineName) out.name = record.name;  // the slot's
    expect_extension_parts_equal(out, record);
  }
}

TEST(SpanExtensionTest, APlainSpanNeedsNoExtension) {
  SpanRecord record;
  record.name = text_of(QueuedSpan::kInlineName, 0);
  EXPECT_EQ(extension_slots_for(record), 0u);
  record.name += "x";
  EXPECT_EQ(extension_slots_for(record), 1u);
  SpanRecord with_trace_state;  // a span of a trace that came with a trace state
  with_trace_state.context.trace_state = TraceState().set("vendor", "value");
  EXPECT_EQ(extension_slots_for(with_trace_state), 1u);
}

TEST(SpanExtensionTest, WhatCannotBeWrittenIsQueuedAsItsRecord) {
  // A trace state of over 512 characters is shortened in its header; the span keeps it whole.
  SpanRecord with_long_trace_state;
  for (char key = 'a'; key < 'g'; ++key) {
    with_long_trace_state.context.trace_state =
        with_long_trace_state.context.trace_state.set(std::string(1, key), text_of(100, key));
  }
  ASSERT_LT(with_long_trace_state.context.trace_state.header().size(), 600u);
  EXPECT_EQ(extension_slots_for(with_long_trace_state), kQueueAsRecord);
  SpanRecord with_one_huge_member;
  with_one_huge_member.context.trace_state =
      TraceState().set("k", text_of(256, 0)).set("j", text_of(256, 1)).set("i", "x");
  EXPECT_EQ(extension_slots_for(with_one_huge_member), kQueueAsRecord);

  SpanRecord with_link;
  with_link.links.emplace_back();
  EXPECT_EQ(extension_slots_for(with_link), kQueueAsRecord);

  SpanRecord with_array;
  with_array.attributes.emplace_back("list", std::vector<std::int64_t>{1, 2});
  EXPECT_EQ(extension_slots_for(with_array), kQueueAsRecord);

  SpanRecord with_array_in_event;
  with_array_in_event.events.emplace_back().attributes.emplace_back("list",
                                                                    std::vector<std::string>{"a"});
  EXPECT_EQ(extension_slots_for(with_array_in_event), kQueueAsRecord);

  SpanRecord too_big;
  too_big.attributes.emplace_back("huge", text_of(kMaxExtensionSlots * sizeof(QueuedSpan), 0));
  EXPECT_EQ(extension_slots_for(too_big), kQueueAsRecord);
}

// Through the ring: spans of one and of several slots, mixed, keep their order and their parts
// while the queue grows into new segments and wraps around them.
TEST(SpanExtensionTest, SpansOfSeveralSlotsPassThroughTheQueueInOrder) {
  SpanRing ring(400);
  std::mt19937 random(5);
  std::uint64_t pushed = 0;
  std::uint64_t next = 0;
  std::vector<SpanRecord> sent;
  const auto push = [&] {
    SpanRecord record;
    record.name = "s";
    for (std::size_t i = random() % 5; i > 0; --i) {
      record.attributes.emplace_back("key", text_of(random() % 150, static_cast<char>(pushed)));
    }
    const std::size_t extension = extension_slots_for(record);
    QueuedSpan* slot = ring.claim(1 + extension);
    if (slot == nullptr) return false;
    slot->record = nullptr;
    slot->extension_slots = static_cast<std::uint16_t>(extension);
    slot->start_time_unix_nano = pushed++;
    if (extension != 0) write_extension(record, ring.extension_run(), extension);
    ring.publish(1 + slot->extension_slots);
    sent.push_back(std::move(record));
    return true;
  };
  const auto pop = [&](std::size_t max) {
    return ring.consume(max, [&](const QueuedSpan& slot, const SlotRun& extension) {
      ASSERT_EQ(slot.start_time_unix_nano, next);
      SpanData out;
      if (slot.extension_slots != 0) read_extension(extension, slot.extension_slots, out);
      EXPECT_EQ(out.attributes, sent[next].attributes) << "span " << next;
      ++next;
    });
  };
  for (int round = 0; round < 300; ++round) {
    for (std::size_t i = random() % 40; i > 0 && push();) --i;
    pop(random() % 40);
  }
  while (pop(100) != 0) {
  }
  EXPECT_EQ(next, pushed);
  EXPECT_GT(pushed, 3000u);
}

// End to end: spans with attributes and events, ended on several threads through a batch
// processor, reach the exporter whole.
TEST(SpanExtensionTest, DecoratedSpansReachTheExporterWhole) {
  auto memory = std::make_shared<InMemorySpans>();
  Options options;
  options.processors.push_back(make_batch_processor(make_memory_exporter(memory)));
  auto provider = std::make_shared<TracerProvider>(
      finalize_config(std::move(options), [](std::string_view) { return std::nullopt; }));
  Tracer tracer = provider->tracer("extension-test");
  constexpr int kThreads = 3;
  constexpr int kSpans = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Thread 1's spans belong to a trace that came with a trace state.
      SpanContext remote;
      remote.trace_id = generate_trace_id();
      remote.span_id = generate_span_id();
      remote.flags = TraceFlags(TraceFlags::kSampled);
      remote.is_remote = true;
      remote.trace_state = TraceState().set("vendor", "thread-1");
      std::optional<Scope> under_remote;
      if (t == 1) under_remote.emplace(Context().with_span(remote));
      for (int i = 0; i < kSpans; ++i) {
        if (i % 11 == 10) {  // a plain one now and then, between decorated ones
          tracer.start_span("plain").end();
          continue;
        }
        Span span = tracer.start_span(i % 7 == 0 ? text_of(40 + i % 50, 0) : "work");
        span.set_attribute("thread", t).set_attribute("index", i);
        span.set_attribute("payload", text_of(static_cast<std::size_t>(i % 300), 1));
        if (i % 3 == 0) span.add_event("tick", {{"index", i}, {"half", i / 2.0}});
        if (i % 5 == 0) span.set_status(StatusCode::kError, "failed " + std::to_string(i));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  ASSERT_TRUE(provider->force_flush());
  const std::vector<SpanData> spans = memory->spans();
  ASSERT_EQ(spans.size(), static_cast<std::size_t>(kThreads * kSpans));
  std::vector<int> seen(kThreads * kSpans, 0);
  int plain_without_trace_state = 0;
  for (const SpanData& span : spans) {
    if (span.name == "plain") {
      if (span.context.trace_state.empty()) ++plain_without_trace_state;
      EXPECT_TRUE(span.attributes.empty());
      EXPECT_TRUE(span.events.empty());
      EXPECT_EQ(span.status.code, StatusCode::kUnset);
      EXPECT_TRUE(span.status.message.empty());
      continue;
    }
    ASSERT_EQ(span.attributes.size(), 3u);
    const auto thread = std::get<std::int64_t>(span.attributes[0].value);
    const auto index = static_cast<int>(std::get<std::int64_t>(span.attributes[1].value));
    ++seen[static_cast<std::size_t>(thread * kSpans + index)];
    EXPECT_EQ(span.name,
              index % 7 == 0 ? text_of(static_cast<std::size_t>(40 + index % 50), 0) : "work");
    EXPECT_EQ(std::get<std::string>(span.attributes[2].value),
              text_of(static_cast<std::size_t>(index % 300), 1));
    ASSERT_EQ(span.events.size(), index % 3 == 0 ? 1u : 0u);
    if (index % 3 == 0) {
      EXPECT_EQ(span.events[0].name, "tick");
      EXPECT_EQ(span.events[0].attributes[0].value, AttributeValue(std::int64_t{index}));
      EXPECT_EQ(span.events[0].attributes[1].value, AttributeValue(index / 2.0));
      EXPECT_GE(span.events[0].time_unix_nano, span.start_time_unix_nano);
    }
    EXPECT_EQ(span.context.trace_state.to_header(), thread == 1 ? "vendor=thread-1" : "");
    EXPECT_EQ(span.status.code, index % 5 == 0 ? StatusCode::kError : StatusCode::kUnset);
    EXPECT_EQ(span.status.message, index % 5 == 0 ? "failed " + std::to_string(index) : "");
  }
  EXPECT_EQ(plain_without_trace_state, 2 * (kSpans / 11));  // threads 0 and 2
  for (std::size_t at = 0; at < seen.size(); ++at) {
    EXPECT_EQ(seen[at], at % kSpans % 11 == 10 ? 0 : 1) << at;
  }
}

}  // namespace
}  // namespace weft::detail
