// Tracer and spans: parent/child links, roots, explicit and remote parents, kinds, attributes of
// every type, events, links, status, exceptions, idempotent end, limits, thread attributes.
#include "weft/tracer.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

#include "test_provider.h"
#include "trace/attribute_limits.h"
#include "weft/diagnostics.h"
#include "weft/span.h"
#include "weft/thread_name.h"

namespace weft {
namespace {

using testing::MemoryProvider;

TEST(TracerTest, SpanWithoutCurrentContextIsARootOfANewTrace) {
  MemoryProvider memory;
  memory.tracer().start_span("root").end();
  SpanData root = memory.find("root");
  EXPECT_TRUE(root.context.is_valid());
  EXPECT_FALSE(root.parent_span_id.is_valid());
  EXPECT_TRUE(root.context.flags.sampled());
  EXPECT_TRUE(root.context.flags.random());
  EXPECT_EQ(root.kind, SpanKind::kInternal);
  EXPECT_GT(root.end_time_unix_nano, 0u);
  EXPECT_GE(root.end_time_unix_nano, root.start_time_unix_nano);
  ASSERT_NE(root.scope, nullptr);
  EXPECT_EQ(root.scope->name, "test");
}

TEST(TracerTest, NestedScopesMakeParentChildLinks) {
  MemoryProvider memory;
  Tracer tracer = memory.tracer();
  {
    ScopedSpan outer = tracer.start_scoped_span("outer");
    {
      ScopedSpan middle = tracer.start_scoped_span("middle");
      tracer.start_span("inner").end();
    }
    tracer.start_span("sibling").end();
  }
  SpanData outer = memory.find("outer");
  SpanData middle = memory.find("middle");
  SpanData inner = memory.find("inner");
  SpanData sibling = memory.find("sibling");
  EXPECT_FALSE(outer.parent_span_id.is_valid());
  EXPECT_EQ(middle.parent_span_id, outer.context.span_id);
  EXPECT_EQ(inner.parent_span_id, middle.context.span_id);
  EXPECT_EQ(sibling.parent_span_id, outer.context.span_id);
  for (const SpanData* span : {&middle, &inner, &sibling}) {
    EXPECT_EQ(span->context.trace_id, outer.context.trace_id);
    EXPECT_FALSE(span->parent_is_remote);
  }
  EXPECT_FALSE(Context::current().has_span()) << "the scope restored the empty context";
}

TEST(TracerTest, ExplicitParentAndNewRootOverrideTheCurrentContext) {
  MemoryProvider memory;
  Tracer tracer = memory.tracer();
  Span explicit_parent = tracer.start_span("explicit-parent");
  ScopedSpan current = tracer.start_scoped_span("current");

  StartSpanOptions with_parent;
  with_parent.parent = Context().with_span(explicit_parent.context());
  tracer.start_span("child-of-explicit", with_parent).end();

  StartSpanOptions root;
  root.new_root = true;
  tracer.start_span("new-root", root).end();
  explicit_parent.end();

  EXPECT_EQ(memory.find("child-of-explicit").parent_span_id, explicit_parent.context().span_id);
  SpanData new_root = memory.find("new-root");
  EXPECT_FALSE(new_root.parent_span_id.is_valid());
  EXPECT_NE(new_root.context.trace_id, current.context().trace_id);
}

TEST(TracerTest, RemoteParentIsKeptAndMarkedRemote) {
  MemoryProvider memory;
  SpanContext remote;
  remote.trace_id = *TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736");
  remote.span_id = *SpanId::from_hex("00f067aa0ba902b7");
  remote.flags = TraceFlags(TraceFlags::kSampled);
  remote.is_remote = true;
  remote.trace_state = *TraceState::parse("vendor=value");
  StartSpanOptions options;
  options.parent = Context().with_span(remote);
  options.kind = SpanKind::kServer;
  memory.tracer().start_span("server", options).end();

  SpanData server = memory.find("server");
  EXPECT_EQ(server.context.trace_id, remote.trace_id);
  EXPECT_EQ(server.parent_span_id, remote.span_id);
  EXPECT_TRUE(server.parent_is_remote);
  EXPECT_EQ(server.kind, SpanKind::kServer);
  EXPECT_EQ(server.context.trace_state.get("vendor"), std::optional<std::string_view>("value"));
  EXPECT_FALSE(server.context.is_remote);
}

TEST(TracerTest, AttributesOfEveryTypeAndReplacementOfAKey) {
  MemoryProvider memory;
  Span span = memory.tracer().start_span("typed");
  span.set_attribute("bool", true)
      .set_attribute("int", 42)
      .set_attribute("unsigned", 7u)
      .set_attribute("double", 2.5)
      .set_attribute("literal", "text")
      .set_attribute("string", std::string("owned"))
      .set_attribute("bools", std::vector<bool>{true, false})
      .set_attribute("ints", std::vector<int>{1, 2, 3})
      .set_attribute("doubles", std::vector<double>{0.5, 1.5})
      .set_attribute("strings", std::vector<std::string>{"a", "b"})
      .set_attribute("int", 43);
  span.end();
  SpanData data = memory.find("typed");
  ASSERT_EQ(data.attributes.size(), 10u);
  EXPECT_EQ(*find_attribute(data.attributes, "bool"), AttributeValue(true));
  EXPECT_EQ(*find_attribute(data.attributes, "int"), AttributeValue(std::int64_t{43}));
  EXPECT_EQ(*find_attribute(data.attributes, "unsigned"), AttributeValue(std::int64_t{7}));
  EXPECT_EQ(*find_attribute(data.attributes, "double"), AttributeValue(2.5));
  EXPECT_EQ(*find_attribute(data.attributes, "literal"), AttributeValue(std::string("text")));
  EXPECT_EQ(*find_attribute(data.attributes, "string"), AttributeValue(std::string("owned")));
  EXPECT_EQ(*find_attribute(data.attributes, "bools"), AttributeValue(std::vector<bool>{true, false}));
  EXPECT_EQ(*find_attribute(data.attributes, "ints"),
            AttributeValue(std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(*find_attribute(data.attributes, "doubles"), AttributeValue(std::vector<double>{0.5, 1.5}));
  EXPECT_EQ(*find_attribute(data.attributes, "strings"),
            AttributeValue(std::vector<std::string>{"a", "b"}));
}

TEST(TracerTest, EventsLinksAndStatus) {
  MemoryProvider memory;
  Tracer tracer = memory.tracer();
  Span linked = tracer.start_span("linked");
  Span span = tracer.start_span("busy");
  span.add_event("started", {{"step", 1}});
  const auto when = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
  span.add_event("stamped", when, {{"step", 2}});
  span.add_link(linked.context(), {{"reason", "batch"}});
  span.set_status(StatusCode::kError, "broken");
  span.end();
  linked.end();
  SpanData data = memory.find("busy");
  ASSERT_EQ(data.events.size(), 2u);
  EXPECT_EQ(data.events[0].name, "started");
  EXPECT_GE(data.events[0].time_unix_nano, data.start_time_unix_nano);
  EXPECT_EQ(data.events[1].time_unix_nano, 1700000000000000000ULL);
  EXPECT_EQ(*find_attribute(data.events[1].attributes, "step"), AttributeValue(std::int64_t{2}));
  ASSERT_EQ(data.links.size(), 1u);
  EXPECT_EQ(data.links[0].context.span_id, linked.context().span_id);
  EXPECT_EQ(data.status.code, StatusCode::kError);
  EXPECT_EQ(data.status.message, "broken");
}

TEST(TracerTest, StatusOkIsFinalAndUnsetIsIgnored) {
  MemoryProvider memory;
  Span span = memory.tracer().start_span("status");
  span.set_status(StatusCode::kError, "first");
  span.set_status(StatusCode::kUnset);
  EXPECT_TRUE(span.is_recording());
  span.set_status(StatusCode::kOk, "ignored description");
  span.set_status(StatusCode::kError, "too late");
  span.end();
  SpanData data = memory.find("status");
  EXPECT_EQ(data.status.code, StatusCode::kOk);
  EXPECT_EQ(data.status.message, "");
}

TEST(TracerTest, RecordExceptionAddsTheSemanticConventionEvent) {
  MemoryProvider memory;
  Span span = memory.tracer().start_span("failing");
  try {
    throw std::runtime_error("disk on fire");
  } catch (const std::exception& error) {
    span.record_exception(error);
  }
  span.end();
  SpanData data = memory.find("failing");
  ASSERT_EQ(data.events.size(), 1u);
  EXPECT_EQ(data.events[0].name, "exception");
  EXPECT_EQ(*find_attribute(data.events[0].attributes, "exception.type"),
            AttributeValue(std::string("std::runtime_error")));
  EXPECT_EQ(*find_attribute(data.events[0].attributes, "exception.message"),
            AttributeValue(std::string("disk on fire")));
}

TEST(TracerTest, EndIsIdempotentAndTheSpanStopsRecording) {
  MemoryProvider memory;
  Span span = memory.tracer().start_span("once");
  span.end();
  EXPECT_FALSE(span.is_recording());
  span.set_attribute("late", 1);
  span.end();
  EXPECT_TRUE(span.context().is_valid()) << "the context stays readable after end()";
  ASSERT_EQ(memory.spans->spans().size(), 1u);
  EXPECT_TRUE(memory.spans->spans()[0].attributes.empty());
}

TEST(TracerTest, DestroyingAndMoveAssigningEndSpans) {
  MemoryProvider memory;
  Tracer tracer = memory.tracer();
  { Span scoped = tracer.start_span("destroyed"); }
  Span span = tracer.start_span("replaced");
  span = tracer.start_span("replacement");
  Span moved = std::move(span);
  moved.end();
  EXPECT_EQ(memory.spans->spans().size(), 3u);
  EXPECT_EQ(memory.find("replaced").name, "replaced");
}

TEST(TracerTest, SpanLimitsDropAndCount) {
  Options options;
  SpanLimits limits;
  limits.attribute_count = 2;
  limits.attribute_value_length = 4;
  limits.event_count = 1;
  limits.link_count = 1;
  limits.attributes_per_event = 1;
  options.limits = limits;
  MemoryProvider memory(std::move(options));
  Span span = memory.tracer().start_span("limited");
  span.set_attribute("a", "abcdefgh").set_attribute("b", 2).set_attribute("c", 3);
  span.set_attribute("a", std::vector<std::string>{"123456", "12"});
  span.add_event("first", {{"x", 1}, {"y", 2}});
  span.add_event("second");
  span.add_link(span.context());
  span.add_link(span.context());
  span.end();
  SpanData data = memory.find("limited");
  EXPECT_EQ(data.attributes.size(), 2u);
  EXPECT_EQ(data.dropped_attributes_count, 1u);
  EXPECT_EQ(*find_attribute(data.attributes, "a"),
            AttributeValue(std::vector<std::string>{"1234", "12"}));
  EXPECT_EQ(data.events.size(), 1u);
  EXPECT_EQ(data.dropped_events_count, 1u);
  EXPECT_EQ(data.events[0].dropped_attributes_count, 1u);
  EXPECT_EQ(data.links.size(), 1u);
  EXPECT_EQ(data.dropped_links_count, 1u);
}

// thread.id and thread.name are exported as attributes, so they obey the limits: they take the
// room the span's own attributes leave under the count limit, and the name is cut to the length
// limit. A span never exports more attributes than the limit.
TEST(TracerTest, ThreadAttributesTakeOnlyTheRoomTheLimitsLeave) {
  std::thread([] {
    set_thread_name("limited-worker");
    Options options;
    SpanLimits limits;
    limits.attribute_count = 3;
    limits.attribute_value_length = 7;
    options.limits = limits;
    MemoryProvider memory(std::move(options));
    Tracer tracer = memory.tracer();
    for (int own = 0; own <= 5; ++own) {
      Span span = tracer.start_span("own." + std::to_string(own));
      for (int i = 0; i < own; ++i) span.set_attribute("a" + std::to_string(i), i);
      span.end();
    }
    const auto exported = [](const SpanData& span) {
      return span.attributes.size() + (span.thread_id != 0) +
             (span.thread_id != 0 && !span.thread_name.empty());
    };
    for (int own = 0; own <= 5; ++own) {
      const SpanData span = memory.find("own." + std::to_string(own));
      EXPECT_EQ(exported(span), std::min(3, own + 2)) << own;
      EXPECT_EQ(span.attributes.size(), std::min<std::size_t>(3, own)) << own;
      EXPECT_EQ(span.dropped_attributes_count, static_cast<std::uint32_t>(std::max(0, own - 3)));
    }
    EXPECT_EQ(memory.find("own.0").thread_name, "limited");
    EXPECT_NE(memory.find("own.1").thread_id, 0);
    EXPECT_EQ(memory.find("own.1").thread_name, "limited");
    EXPECT_NE(memory.find("own.2").thread_id, 0);
    EXPECT_EQ(memory.find("own.2").thread_name, "");
    EXPECT_EQ(memory.find("own.3").thread_id, 0);

    // Attributes given at the start count the same way.
    StartSpanOptions with_attributes;
    with_attributes.attributes = {KeyValue("s0", 0), KeyValue("s1", 1), KeyValue("s2", 2)};
    tracer.start_span("at.start", with_attributes).end();
    EXPECT_EQ(memory.find("at.start").thread_id, 0);

    // Under no limits the same thread's (recycled) records carry the whole name again.
    MemoryProvider unlimited;
    unlimited.tracer().start_span("free").end();
    EXPECT_EQ(unlimited.find("free").thread_name, "limited-worker");

    for (const std::size_t count : {0, 1}) {
      Options tight;
      SpanLimits tight_limits;
      tight_limits.attribute_count = count;
      tight.limits = tight_limits;
      MemoryProvider few(std::move(tight));
      few.tracer().start_span("plain").end();
      const SpanData plain = few.find("plain");
      EXPECT_EQ(exported(plain), count) << count;
    }
  }).join();
}

// The length limit counts characters, as the specification says, and never cuts one in two: a
// UTF-8 string cut inside a character is refused by strict OTLP receivers.
TEST(TracerTest, TheValueLengthLimitCountsCharactersNotBytes) {
  Options options;
  SpanLimits limits;
  limits.attribute_value_length = 4;
  options.limits = limits;
  MemoryProvider memory(std::move(options));
  Span span = memory.tracer().start_span("utf8");
  span.set_attribute("accented", "h\u00e9ll\u00f6 w\u00f6rld");  // 2-byte characters
  span.set_attribute("emoji", "\U0001F600\U0001F601\U0001F602\U0001F603\U0001F604");
  span.set_attribute("short", "\u20ac\u20ac\u20ac\u20ac");  // 4 characters, 12 bytes: kept
  span.set_attribute("array", std::vector<std::string>{"\u00e9\u00e9\u00e9\u00e9\u00e9", "ab"});
  span.add_event("event", {{"text", "\u00fc\u00fc\u00fc\u00fc\u00fc\u00fc"}});
  span.end();
  const SpanData data = memory.find("utf8");
  EXPECT_EQ(*find_attribute(data.attributes, "accented"), AttributeValue(std::string("h\u00e9ll")));
  EXPECT_EQ(*find_attribute(data.attributes, "emoji"),
            AttributeValue(std::string("\U0001F600\U0001F601\U0001F602\U0001F603")));
  EXPECT_EQ(*find_attribute(data.attributes, "short"),
            AttributeValue(std::string("\u20ac\u20ac\u20ac\u20ac")));
  EXPECT_EQ(*find_attribute(data.attributes, "array"),
            AttributeValue(std::vector<std::string>{"\u00e9\u00e9\u00e9\u00e9", "ab"}));
  ASSERT_EQ(data.events.size(), 1u);
  EXPECT_EQ(*find_attribute(data.events[0].attributes, "text"),
            AttributeValue(std::string("\u00fc\u00fc\u00fc\u00fc")));
}

// Invalid UTF-8 still gets a length: a byte that belongs to no character counts as one, and a
// sequence cut short by the end of the text or by another lead byte is one character.
TEST(TracerTest, Utf8PrefixOfInvalidTextCountsStrayBytesAsCharacters) {
  EXPECT_EQ(detail::utf8_prefix_bytes(std::string_view("\xff\xfe\x61"), 2), 2u);  // then "a"
  EXPECT_EQ(detail::utf8_prefix_bytes("\x80\x80x", 2), 2u);
  EXPECT_EQ(detail::utf8_prefix_bytes("ab\xe2\x82", 3), 4u);            // a, b, a short sequence
  EXPECT_EQ(detail::utf8_prefix_bytes("\xe2\xc3\xa9z", 2), 3u);         // a lead, then "\xc3\xa9"
  EXPECT_EQ(detail::utf8_prefix_bytes("\xf0\x9f\x98\x80\x80", 1), 4u);  // the 5th byte is its own
  EXPECT_EQ(detail::utf8_prefix_bytes("", 3), 0u);
  EXPECT_EQ(detail::utf8_prefix_bytes("abc", 0), 0u);
  EXPECT_EQ(detail::truncated_text("abc", 3), "abc");
}

TEST(TracerTest, EverySpanRecordsItsThreadIdAndName) {
  MemoryProvider memory;
  Tracer tracer = memory.tracer();
  std::thread worker([&] {
    set_thread_name("a-rather-long-worker-name");
    tracer.start_span("on-worker").end();
  });
  worker.join();
  tracer.start_span("on-main").end();
  SpanData on_worker = memory.find("on-worker");
  SpanData on_main = memory.find("on-main");
  EXPECT_EQ(on_worker.thread_name, "a-rather-long-worker-name");
  EXPECT_NE(on_worker.thread_id, 0);
  EXPECT_NE(on_main.thread_id, 0);
  EXPECT_NE(on_worker.thread_id, on_main.thread_id);
}

TEST(TracerTest, SameNameAndVersionGiveTheSameScope) {
  MemoryProvider memory;
  memory.provider->tracer("lib", "1.0").start_span("a").end();
  memory.provider->tracer("lib", "1.0").start_span("b").end();
  memory.provider->tracer("lib", "2.0").start_span("c").end();
  EXPECT_EQ(memory.find("a").scope, memory.find("b").scope);
  EXPECT_NE(memory.find("a").scope, memory.find("c").scope);
  EXPECT_EQ(memory.find("c").scope->version, "2.0");
}

TEST(TracerTest, DisabledSdkRecordsNothingButPassesTheParentOn) {
  Options options;
  options.disabled = true;
  MemoryProvider memory(std::move(options));
  Tracer tracer = memory.tracer();
  EXPECT_FALSE(tracer.enabled());
  EXPECT_FALSE(tracer.start_span("no parent").context().is_valid());
  SpanContext parent;
  parent.trace_id = generate_trace_id();
  parent.span_id = generate_span_id();
  parent.flags = TraceFlags(TraceFlags::kSampled);
  parent.is_remote = true;
  parent.trace_state = *TraceState::parse("vendor=value");
  Scope scope(Context().with_span(parent));
  Span span = tracer.start_span("ignored");
  EXPECT_FALSE(span.is_recording());
  EXPECT_EQ(span.context(), parent) << "ids, flags, remote and trace state";
  span.end();

  SpanContext explicit_parent;
  explicit_parent.trace_id = generate_trace_id();
  explicit_parent.span_id = generate_span_id();
  StartSpanOptions options_with_parent;
  options_with_parent.parent = Context().with_span(explicit_parent);
  EXPECT_EQ(tracer.start_span("ignored", options_with_parent).context(), explicit_parent);
  EXPECT_TRUE(memory.spans->spans().empty());
}

TEST(TracerTest, SpansEndedAfterShutdownAreDroppedAndCounted) {
  MemoryProvider memory;
  Span open = memory.tracer().start_span("open");
  const std::uint64_t before = diagnostics().spans_dropped_after_shutdown;
  EXPECT_TRUE(memory.provider->shutdown());
  open.end();
  EXPECT_EQ(diagnostics().spans_dropped_after_shutdown, before + 1);
  EXPECT_TRUE(memory.spans->spans().empty());
}

}  // namespace
}  // namespace weft
