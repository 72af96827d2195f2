// Propagators: inject then extract over carriers, the W3C extraction rules, composite order, the
// map carrier, and the global propagator chosen by OTEL_PROPAGATORS.
#include "weft/propagation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "propagation/global_propagator.h"
#include "weft/diagnostics.h"

namespace weft {
namespace {

using Headers = std::map<std::string, std::string>;

constexpr const char* kTraceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

SpanContext sample_span() {
  SpanContext span;
  span.trace_id = TraceId::from_words(0x0af7651916cd43ddULL, 0x8448eb211c80319cULL);
  span.span_id = SpanId::from_word(0xb7ad6b7169203331ULL);
  span.flags = TraceFlags(TraceFlags::kSampled | TraceFlags::kRandom);
  span.trace_state = *TraceState::parse("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
  return span;
}

Context sample_context() {
  return Context()
      .with_span(sample_span())
      .with_baggage(Baggage().set("user", "alice smith").set("tenant", "acme", "p=1"));
}

CompositePropagator w3c_propagator() {
  return CompositePropagator(
      {std::make_shared<TraceContextPropagator>(), std::make_shared<BaggagePropagator>()});
}

// Collects weft's warnings while it lives.
class CapturedWarnings {
 public:
  CapturedWarnings() {
    set_log_handler([this](LogLevel level, std::string_view message) {
      if (level == LogLevel::kWarning) messages.emplace_back(message);
    });
  }
  ~CapturedWarnings() { set_log_handler({}); }
  std::vector<std::string> messages;
};

// Writes `value` into `field`: shows in which order a composite runs its propagators.
class FixedPropagator final : public Propagator {
 public:
  FixedPropagator(std::string field, std::string value)
      : field_(std::move(field)), value_(std::move(value)) {}
  void inject(const Context&, TextMapCarrier& carrier) const override {
    carrier.set(field_, value_);
  }
  using Propagator::extract;
  Context extract(const TextMapCarrier&, const Context& base) const override {
    const std::string order(base.baggage().get("order").value_or(""));
    return base.with_baggage(base.baggage().set("order", order + value_));
  }
  std::vector<std::string> fields() const override { return {field_}; }

 private:
  std::string field_;
  std::string value_;
};

TEST(PropagationTest, InjectThenExtractGivesTheSameContextMarkedRemote) {
  const Context original = sample_context();
  Headers headers;
  MapCarrier carrier(headers);
  w3c_propagator().inject(original, carrier);
  EXPECT_EQ(headers,
            (Headers{{"traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03"},
                     {"tracestate", "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"},
                     {"baggage", "user=alice%20smith,tenant=acme;p=1"}}));

  const Context extracted = w3c_propagator().extract(carrier);
  SpanContext expected = original.span_context();
  expected.is_remote = true;
  EXPECT_EQ(extracted.span_context(), expected);
  EXPECT_TRUE(extracted.span_context().is_remote);
  EXPECT_EQ(extracted.baggage(), original.baggage());
}

TEST(PropagationTest, ExtractedContextsReinjectTheSameHeaders) {
  Headers incoming{{"traceparent", kTraceparent}, {"tracestate", "a=1, b=2"}, {"baggage", "k=v"}};
  MapCarrier in(incoming);
  const Context extracted = w3c_propagator().extract(in);
  Headers outgoing;
  MapCarrier out(outgoing);
  w3c_propagator().inject(extracted, out);
  EXPECT_EQ(
      outgoing,
      (Headers{{"traceparent", kTraceparent}, {"tracestate", "a=1,b=2"}, {"baggage", "k=v"}}));
}

TEST(PropagationTest, TraceContextInjectWritesOnlyForAValidSpan) {
  Headers headers;
  MapCarrier carrier(headers);
  TraceContextPropagator().inject(Context(), carrier);
  EXPECT_TRUE(headers.empty());

  SpanContext no_state = sample_span();
  no_state.trace_state = TraceState();
  TraceContextPropagator().inject(Context().with_span(no_state), carrier);
  EXPECT_EQ(headers,
            (Headers{{"traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03"}}))
      << "no tracestate header when it is empty";
}

TEST(PropagationTest, NothingIsInjectedForAnEmptyContext) {
  Headers headers;
  MapCarrier carrier(headers);
  w3c_propagator().inject(Context(), carrier);
  EXPECT_TRUE(headers.empty());
}

TEST(PropagationTest, MissingTraceparentLeavesTheBaseAndIgnoresTracestate) {
  Headers headers{{"tracestate", "a=1"}};
  MapCarrier carrier(headers);
  const Context base = sample_context();
  EXPECT_EQ(TraceContextPropagator().extract(carrier, base), base);
  EXPECT_FALSE(TraceContextPropagator().extract(carrier).has_span());
}

TEST(PropagationTest, InvalidTraceparentLeavesTheBaseAndIgnoresTracestate) {
  const Context base = sample_context();
  for (const char* traceparent :
       {"garbage", "", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01"}) {
    Headers headers{{"traceparent", traceparent}, {"tracestate", "a=1"}};
    MapCarrier carrier(headers);
    EXPECT_EQ(TraceContextPropagator().extract(carrier, base), base) << traceparent;
    EXPECT_EQ(TraceContextPropagator().extract(carrier), Context()) << traceparent;
  }
}

TEST(PropagationTest, InvalidTracestateKeepsTheTraceparent) {
  for (const char* tracestate : {"a=1,a=2", "A=1", "a=", "a=1,b"}) {
    Headers headers{{"traceparent", kTraceparent}, {"tracestate", tracestate}};
    MapCarrier carrier(headers);
    const Context extracted = TraceContextPropagator().extract(carrier);
    ASSERT_TRUE(extracted.has_span()) << tracestate;
    EXPECT_EQ(extracted.span_context().trace_id.to_hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
    EXPECT_TRUE(extracted.span_context().trace_state.empty()) << tracestate;
  }
}

TEST(PropagationTest, ExtractReplacesTheBaseSpanAndKeepsItsBaggage) {
  Headers headers{{"traceparent", kTraceparent}};
  MapCarrier carrier(headers);
  const Context base = sample_context();
  const Context extracted = TraceContextPropagator().extract(carrier, base);
  EXPECT_EQ(extracted.span_context().span_id.to_hex(), "00f067aa0ba902b7");
  EXPECT_TRUE(extracted.span_context().trace_state.empty()) << "the base's state is not kept";
  EXPECT_EQ(extracted.baggage(), base.baggage());
}

TEST(PropagationTest, ExtractAcceptsFutureVersionsWhiteSpaceAndAnyHeaderCase) {
  Headers headers{
      {"TRACEPARENT", " cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future\t"},
      {"TraceState", "foo=1 \t , \t bar=2"}};
  MapCarrier carrier(headers);
  const Context extracted = TraceContextPropagator().extract(carrier);
  ASSERT_TRUE(extracted.has_span());
  EXPECT_EQ(extracted.span_context().trace_state.to_header(), "foo=1,bar=2");
  EXPECT_TRUE(extracted.span_context().is_remote);
  EXPECT_TRUE(extracted.span_context().is_sampled());
}

TEST(PropagationTest, BaggageInjectsOnlyWhenNotEmpty) {
  Headers headers;
  MapCarrier carrier(headers);
  BaggagePropagator().inject(Context(), carrier);
  BaggagePropagator().inject(Context().with_span(sample_span()), carrier);
  EXPECT_TRUE(headers.empty());
  BaggagePropagator().inject(Context().with_baggage(Baggage().set("k", "v")), carrier);
  EXPECT_EQ(headers, (Headers{{"baggage", "k=v"}}));
}

// A carrier reused from one message to the next (a connection's header map): a `tracestate` left
// from another trace is never sent along with a new `traceparent`. A context with no span or no
// baggage leaves the carrier's headers alone, as OpenTelemetry's other SDKs do (a gateway passes
// its caller's on).
TEST(PropagationTest, ReusedCarrierNeverPairsATraceparentWithAnotherTracesState) {
  Headers headers{{"Other", "kept"}};
  MapCarrier carrier(headers);
  const CompositePropagator propagator = w3c_propagator();
  propagator.inject(sample_context(), carrier);
  ASSERT_EQ(headers.size(), 4u);

  SpanContext plain = sample_span();
  plain.trace_id = TraceId::from_words(0x1111111111111111ULL, 0x2222222222222222ULL);
  plain.trace_state = TraceState();
  headers["TraceState"] = "other=spelling";
  propagator.inject(Context().with_span(plain), carrier);
  EXPECT_EQ(headers.count("tracestate") + headers.count("TraceState"), 0u);
  EXPECT_EQ(headers["traceparent"], "00-11111111111111112222222222222222-b7ad6b7169203331-03");
  EXPECT_TRUE(propagator.extract(carrier).span_context().trace_state.empty());

  const Headers before = headers;
  propagator.inject(Context(), carrier);
  EXPECT_EQ(headers, before) << "no span, no baggage: nothing written, nothing removed";
}

TEST(PropagationTest, BaggageExtractMergesIntoTheBase) {
  Headers headers{{"Baggage", "k=new, added=1;p"}};
  MapCarrier carrier(headers);
  const Context base =
      Context().with_span(sample_span()).with_baggage(Baggage().set("k", "old").set("kept", "x"));
  const Context extracted = BaggagePropagator().extract(carrier, base);
  EXPECT_EQ(extracted.span_context(), base.span_context()) << "the span is untouched";
  EXPECT_EQ(extracted.baggage().get("k"), std::optional<std::string_view>("new"));
  EXPECT_EQ(extracted.baggage().get("kept"), std::optional<std::string_view>("x"));
  EXPECT_EQ(extracted.baggage().entries().back(), (Baggage::Entry{"added", "1", "p"}));
  EXPECT_EQ(base.baggage().get("k"), std::optional<std::string_view>("old")) << "immutable";
}

TEST(PropagationTest, MissingOrEmptyBaggageLeavesTheBase) {
  const Context base = sample_context();
  for (const char* value : {"", "bad key=1", ",,,"}) {
    Headers headers{{"baggage", value}};
    MapCarrier carrier(headers);
    EXPECT_EQ(BaggagePropagator().extract(carrier, base), base) << value;
  }
  Headers none;
  MapCarrier carrier(none);
  EXPECT_EQ(BaggagePropagator().extract(carrier, base), base);
}

TEST(PropagationTest, CompositeRunsPropagatorsInOrder) {
  const CompositePropagator composite({std::make_shared<FixedPropagator>("x-test", "first"),
                                       std::make_shared<FixedPropagator>("x-test", "second")});
  Headers headers;
  MapCarrier carrier(headers);
  composite.inject(Context(), carrier);
  EXPECT_EQ(headers, (Headers{{"x-test", "second"}})) << "the later one writes last";
  EXPECT_EQ(composite.extract(carrier).baggage().get("order"),
            std::optional<std::string_view>("firstsecond"));
}

TEST(PropagationTest, CompositeFieldsSkipDuplicatesAndNullPropagators) {
  const CompositePropagator composite({std::make_shared<TraceContextPropagator>(), nullptr,
                                       std::make_shared<BaggagePropagator>(),
                                       std::make_shared<TraceContextPropagator>()});
  EXPECT_EQ(composite.fields(), (std::vector<std::string>{"traceparent", "tracestate", "baggage"}));
  Headers headers;
  MapCarrier carrier(headers);
  composite.inject(sample_context(), carrier);
  EXPECT_EQ(headers.size(), 3u);
  EXPECT_TRUE(composite.extract(carrier).has_span());
  EXPECT_TRUE(CompositePropagator({}).fields().empty());
}

TEST(MapCarrierTest, GetMatchesKeysCaseInsensitively) {
  Headers headers{{"TraceParent", "a"}, {"other", "b"}};
  const MapCarrier carrier(headers);
  EXPECT_EQ(carrier.get("traceparent"), std::optional<std::string_view>("a"));
  EXPECT_EQ(carrier.get("TRACEPARENT"), std::optional<std::string_view>("a"));
  EXPECT_EQ(carrier.get("Other"), std::optional<std::string_view>("b"));
  EXPECT_FALSE(carrier.get("tracestate"));
  EXPECT_FALSE(carrier.get("traceparen"));
  EXPECT_FALSE(carrier.get(""));
}

TEST(MapCarrierTest, RemoveTakesEverySpellingAndNothingElse) {
  Headers headers{{"TRACESTATE", "a"},
                  {"TraceState", "b"},
                  {"tracestate", "c"},
                  {"tracestatex", "d"},
                  {"traceparent", "e"}};
  MapCarrier carrier(headers);
  carrier.remove("tracestate");
  EXPECT_EQ(headers, (Headers{{"tracestatex", "d"}, {"traceparent", "e"}}));
  carrier.remove("baggage");
  EXPECT_EQ(headers.size(), 2u);
}

// Every spelling of a name sorts between its all-capitals and its all-lowercase forms: after a
// key without capitals no other spelling can follow in the map, but after one with capitals some
// can, and those must go too.
TEST(MapCarrierTest, SetRemovesSpellingsOnBothSidesOfTheOneGiven) {
  Headers headers{{"TraceParent", "2"}, {"traceParent", "3"}, {"traceparent", "4"}, {"u", "kept"}};
  MapCarrier carrier(headers);
  carrier.set("TraceParent", "new");  // the spelling given comes first
  EXPECT_EQ(headers, (Headers{{"TraceParent", "new"}, {"u", "kept"}}));
  headers = Headers{{"TRACEPARENT", "1"}, {"TraceParent", "2"}, {"traceparent", "4"}};
  carrier.set("TraceParent", "new");  // and in the middle
  EXPECT_EQ(headers, (Headers{{"TraceParent", "new"}}));
  headers = Headers{{"TRACEPARENT", "1"}, {"TraceParent", "2"}, {"traceparent", "4"}};
  carrier.set("traceparent", "new");
  EXPECT_EQ(headers, (Headers{{"traceparent", "new"}}));
  headers = Headers{{"traceparent", "4"}, {"traceparentx", "5"}};
  carrier.set("TRACEPARENT", "new");
  EXPECT_EQ(headers, (Headers{{"TRACEPARENT", "new"}, {"traceparentx", "5"}}));
}

TEST(MapCarrierTest, SetReplacesCaseInsensitivelyAndStoresTheKeyAsGiven) {
  Headers headers{{"Baggage", "old"}, {"BAGGAGE", "older"}, {"other", "kept"}};
  MapCarrier carrier(headers);
  carrier.set("baggage", "new");
  EXPECT_EQ(headers, (Headers{{"baggage", "new"}, {"other", "kept"}}));
  carrier.set("baggage", "newer");
  EXPECT_EQ(headers, (Headers{{"baggage", "newer"}, {"other", "kept"}}));
  carrier.set("added", "1");
  EXPECT_EQ(carrier.get("ADDED"), std::optional<std::string_view>("1"));
  EXPECT_EQ(headers.size(), 3u);
}

// The carrier compares the key with every name, inline for the common cases (sizes differ, the
// same spelling); checked here against a plain reference scan, over maps of many spellings and
// neighbours (including names that do not start with a letter, and the empty name).
TEST(MapCarrierTest, FindsEverySpellingAmongNeighbours) {
  const std::vector<std::string> names{"",        "-x",         "0",           "T",
                                       "TRACEPARENT", "TraceParent", "Tracestate", "Z",
                                       "a",       "t",          "traceparen",  "traceparent",
                                       "traceparentx", "tracestate", "u",      "~",
                                       "trACEparent", "tr\xc1" "ceparent", "TR\xc1" "CEPARENT"};
  // Keys with capitals too: set() stops at a key without capitals, which no other spelling can
  // follow, and must go on after one with capitals (a non-ASCII byte is not a capital).
  const std::vector<std::string> keys{"traceparent", "tracestate", "t", "-x", "", "0", "z", "q",
                                      "TraceParent", "TRACESTATE", "T", "tr\xc1" "ceparent"};
  const auto reference_get = [](const Headers& map, const std::string& key) {
    std::optional<std::string> found;
    for (const auto& [name, value] : map) {
      if (name == key) return std::optional<std::string>(value);
      bool same = name.size() == key.size();
      for (std::size_t i = 0; same && i < key.size(); ++i) {
        same = std::tolower(static_cast<unsigned char>(name[i])) ==
               std::tolower(static_cast<unsigned char>(key[i]));
      }
      if (same && !found) found = value;
    }
    return found;
  };
  unsigned seed = 7;
  for (int round = 0; round < 400; ++round) {
    Headers headers;
    for (const std::string& name : names) {
      seed = seed * 1103515245u + 12345u;
      if ((seed >> 16) % 2 == 0) headers[name] = "value of " + name;
    }
    MapCarrier carrier(headers);
    for (const std::string& key : keys) {
      const std::optional<std::string> expected = reference_get(headers, key);
      const std::optional<std::string_view> got = carrier.get(key);
      ASSERT_EQ(got.has_value(), expected.has_value()) << "key '" << key << "'";
      if (got) {
        EXPECT_EQ(*got, *expected) << "key '" << key << "'";
      }
    }
    const std::string& key = keys[round % keys.size()];
    const std::size_t others = std::count_if(headers.begin(), headers.end(), [&](const auto& e) {
      return !reference_get(Headers{{e.first, ""}}, key);
    });
    carrier.set(key, "set");
    EXPECT_EQ(headers.size(), others + 1) << "every other spelling of '" << key << "' replaced";
    EXPECT_EQ(headers.at(key), "set");
  }
}

TEST(PropagationTest, EnvironmentValueChoosesThePropagators) {
  const std::vector<std::string> w3c{"traceparent", "tracestate", "baggage"};
  EXPECT_EQ(detail::make_propagator_from_env_value("tracecontext,baggage")->fields(), w3c);
  EXPECT_EQ(detail::make_propagator_from_env_value("baggage,tracecontext")->fields(),
            (std::vector<std::string>{"baggage", "traceparent", "tracestate"}))
      << "in the order given";
  EXPECT_EQ(detail::make_propagator_from_env_value("baggage")->fields(),
            (std::vector<std::string>{"baggage"}));
  EXPECT_EQ(detail::make_propagator_from_env_value(" TraceContext ,\tBAGGAGE ")->fields(), w3c)
      << "names are trimmed and case-insensitive";
}

TEST(PropagationTest, EmptyEnvironmentValueMeansTheDefault) {
  const std::vector<std::string> w3c{"traceparent", "tracestate", "baggage"};
  EXPECT_EQ(detail::make_propagator_from_env_value("")->fields(), w3c);
  EXPECT_EQ(detail::make_propagator_from_env_value(" , ,")->fields(), w3c);
}

TEST(PropagationTest, EnvironmentValueNamesAreUsedOnce) {
  const auto propagator =
      detail::make_propagator_from_env_value("baggage,tracecontext,baggage,BAGGAGE");
  EXPECT_EQ(propagator->fields(),
            (std::vector<std::string>{"baggage", "traceparent", "tracestate"}));
}

TEST(PropagationTest, NoneGivesAPropagatorThatDoesNothing) {
  CapturedWarnings warnings;
  const auto none = detail::make_propagator_from_env_value("none");
  EXPECT_TRUE(none->fields().empty());
  EXPECT_TRUE(warnings.messages.empty());
  Headers headers{{"traceparent", kTraceparent}, {"baggage", "k=v"}};
  MapCarrier carrier(headers);
  none->inject(sample_context(), carrier);
  EXPECT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers["traceparent"], kTraceparent) << "nothing written";
  EXPECT_EQ(none->extract(carrier), Context()) << "nothing read";

  EXPECT_TRUE(detail::make_propagator_from_env_value("tracecontext, none")->fields().empty());
  ASSERT_EQ(warnings.messages.size(), 1u);
  EXPECT_NE(warnings.messages[0].find("OTEL_PROPAGATORS"), std::string::npos);
}

TEST(PropagationTest, UnsupportedNamesAreSkippedWithOneWarningEach) {
  CapturedWarnings warnings;
  EXPECT_EQ(detail::make_propagator_from_env_value("b3, tracecontext,jaeger,xray,b3")->fields(),
            (std::vector<std::string>{"traceparent", "tracestate"}));
  ASSERT_EQ(warnings.messages.size(), 3u);
  const char* names[] = {"\"b3\"", "\"jaeger\"", "\"xray\""};
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_NE(warnings.messages[i].find("OTEL_PROPAGATORS"), std::string::npos);
    EXPECT_NE(warnings.messages[i].find(names[i]), std::string::npos) << warnings.messages[i];
  }
  EXPECT_TRUE(detail::make_propagator_from_env_value("b3multi")->fields().empty())
      << "nothing supported left: propagate nothing";
  EXPECT_EQ(warnings.messages.size(), 4u);
}

TEST(PropagationTest, GlobalPropagatorIsStableAndReplaceable) {
  // Whatever OTEL_PROPAGATORS (or an earlier test) chose: only identity and lifetime are checked.
  const Propagator& first = propagation::global();
  EXPECT_EQ(&propagation::global(), &first) << "built once";
  const std::vector<std::string> first_fields = first.fields();

  const auto baggage_only = std::make_shared<BaggagePropagator>();
  propagation::set_global(baggage_only);
  EXPECT_EQ(&propagation::global(), baggage_only.get());
  EXPECT_EQ(first.fields(), first_fields) << "a reference handed out earlier stays valid";

  propagation::set_global(nullptr);
  EXPECT_TRUE(propagation::global().fields().empty()) << "null means propagate nothing";

  propagation::set_global(detail::make_propagator_from_env_value(""));
  EXPECT_EQ(propagation::global().fields(),
            (std::vector<std::string>{"traceparent", "tracestate", "baggage"}));
}

TEST(PropagationTest, GlobalPropagatorCanBeUsedAndReplacedFromManyThreads) {
  propagation::set_global(detail::make_propagator_from_env_value("tracecontext,baggage"));
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < 200; ++i) {
        if (t == 0 && i % 20 == 0) {
          propagation::set_global(detail::make_propagator_from_env_value(""));
        }
        Headers headers;
        MapCarrier carrier(headers);
        propagation::global().inject(sample_context(), carrier);
        EXPECT_EQ(headers.size(), 3u);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
}

}  // namespace
}  // namespace weft
