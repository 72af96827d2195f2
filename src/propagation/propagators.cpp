// The W3C propagators, the composite propagator and the map carrier.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <iterator>

#include "propagation/traceparent.h"
#include "runtime/ascii_case.h"
#include "runtime/short_text.h"
#include "weft/propagation.h"

namespace weft {
namespace {

constexpr std::string_view kTraceparent = "traceparent";
constexpr std::string_view kTracestate = "tracestate";
constexpr std::string_view kBaggage = "baggage";

// Both sides in any case (a carrier's names are). For names of equal size.
bool equal_letters_ignoring_case(std::string_view a, std::string_view b) noexcept {
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i] && detail::ascii_lower(a[i]) != detail::ascii_lower(b[i])) return false;
  }
  return true;
}

// Inline, as both carrier operations call it for every header: most names differ in size, and
// a name that matches is most often spelled the same (a few word compares).
inline bool equal_ignoring_case(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && (detail::same_text(a, b) || equal_letters_ignoring_case(a, b));
}

// Whether `text` holds an ASCII capital letter, eight bytes at a time: in the low seven bits of
// each byte, adding 0x3f carries into the high bit from 'A' up and adding 0x25 from 'Z' + 1 up
// (no carry crosses into the next byte); a byte with its own high bit set is not ASCII.
bool has_ascii_capital(std::string_view text) noexcept {
  constexpr std::uint64_t kEveryByte = 0x0101010101010101ULL;
  const auto capital_in = [](std::uint64_t word) {
    const std::uint64_t low_bits = word & (0x7f * kEveryByte);
    return ((low_bits + 0x3f * kEveryByte) & ~(low_bits + 0x25 * kEveryByte) & ~word &
            (0x80 * kEveryByte)) != 0;
  };
  const std::size_t size = text.size();
  if (size < 8) {
    for (const char c : text) {
      if (c >= 'A' && c <= 'Z') return true;
    }
    return false;
  }
  std::uint64_t word;
  for (std::size_t at = 0; at + 8 < size; at += 8) {
    std::memcpy(&word, text.data() + at, sizeof word);
    if (capital_in(word)) return true;
  }
  std::memcpy(&word, text.data() + size - 8, sizeof word);  // the last 8, read again in part
  return capital_in(word);
}

// The rare paths of set(), out of line so that its scan keeps its registers. The map holds no
// spelling of the key: it is added.
__attribute__((noinline)) void add_entry(std::map<std::string, std::string>& map,
                                         std::string_view key, std::string_view value) {
  map.emplace(std::string(key), std::string(value));
}

// The map holds another spelling of the key: one entry stays, spelled as given.
__attribute__((noinline)) void replace_every_spelling(std::map<std::string, std::string>& map,
                                                      std::string_view key,
                                                      std::string_view value) {
  auto same_spelling = map.end();
  for (auto it = map.begin(); it != map.end();) {
    if (!equal_ignoring_case(it->first, key)) {
      ++it;
    } else if (detail::same_text(it->first, key)) {
      same_spelling = it++;
    } else {
      it = map.erase(it);
    }
  }
  if (same_spelling != map.end()) {
    same_spelling->second.assign(value.data(), value.size());
  } else {
    map.emplace(std::string(key), std::string(value));
  }
}

}  // namespace

// Header names are case-insensitive (the W3C specifications require accepting any case), and a
// std::map is ordered case-sensitively, so both operations scan; carriers are small.
std::optional<std::string_view> MapCarrier::get(std::string_view key) const {
  const std::string* found = nullptr;
  for (const auto& [name, value] : map_) {
    if (name.size() != key.size()) continue;
    // The spelling asked for wins.
    if (detail::same_text(name, key)) return std::string_view(value);
    if (found == nullptr && equal_letters_ignoring_case(name, key)) found = &value;
  }
  if (found == nullptr) return std::nullopt;
  return std::string_view(*found);
}

void MapCarrier::remove(std::string_view key) {
  for (auto entry = map_.begin(); entry != map_.end();) {
    entry = equal_ignoring_case(entry->first, key) ? map_.erase(entry) : std::next(entry);
  }
}

// One entry per header, spelled as given: other spellings ("TraceParent") are replaced.
void MapCarrier::set(std::string_view key, std::string_view value) {
  // The usual case: the key is there as given (a connection's header map reused from request to
  // request) and in no other spelling. Every spelling of a key sorts between its all-capitals and
  // its all-lowercase forms, so after a key without capitals (the propagators' keys) none can
  // follow: the scan ends there.
  std::string* existing = nullptr;
  for (auto& [name, current] : map_) {
    if (name.size() != key.size()) continue;
    if (detail::same_text(name, key)) {
      existing = &current;
      if (!has_ascii_capital(key)) break;
    } else if (equal_letters_ignoring_case(name, key)) {
      replace_every_spelling(map_, key, value);
      return;
    }
  }
  if (existing == nullptr) {
    add_entry(map_, key, value);  // no spelling of it was seen
  } else if (existing->size() == value.size() && !value.empty()) {
    // A copy over the old value (a traceparent is always 55 characters), where assign() takes a
    // general, out-of-line path.
    std::memmove(existing->data(), value.data(), value.size());  // value may be a part of it
  } else {
    existing->assign(value.data(), value.size());  // reuses the string's storage
  }
}

void TraceContextPropagator::inject(const Context& context, TextMapCarrier& carrier) const {
  // Without a span nothing is written, and a carrier's headers stay as they are (a gateway may
  // pass its caller's on), as in OpenTelemetry's other SDKs.
  const SpanContext& span = context.span_context();
  if (!span.is_valid()) return;
  char traceparent[detail::kTraceparentLength];  // no std::string on this path
  detail::write_traceparent(span, traceparent);
  carrier.set(kTraceparent, std::string_view(traceparent, sizeof traceparent));
  const std::string_view tracestate =
      span.trace_state.empty() ? std::string_view() : span.trace_state.header();
  if (!tracestate.empty()) {
    carrier.set(kTracestate, tracestate);
  } else {
    // A `tracestate` belongs to the `traceparent` next to it: one a reused carrier still holds
    // from another context would be sent along with this one.
    carrier.remove(kTracestate);
  }
}

Context TraceContextPropagator::extract(const TextMapCarrier& carrier, const Context& base) const {
  const std::optional<std::string_view> traceparent = carrier.get(kTraceparent);
  if (!traceparent) return base;
  std::optional<SpanContext> span = parse_traceparent(*traceparent);  // is_remote = true
  // The specification: without a valid traceparent, tracestate MUST NOT be parsed; an invalid
  // tracestate does not affect the traceparent (it is dropped as a whole).
  if (!span) return base;
  if (const std::optional<std::string_view> tracestate = carrier.get(kTracestate)) {
    if (std::optional<TraceState> parsed = TraceState::parse(*tracestate)) {
      span->trace_state = std::move(*parsed);
    }
  }
  return base.with_span(std::move(*span));
}

void BaggagePropagator::inject(const Context& context, TextMapCarrier& carrier) const {
  if (context.baggage().empty()) return;
  const std::string header = context.baggage().to_header();
  if (!header.empty()) carrier.set(kBaggage, header);
}

Context BaggagePropagator::extract(const TextMapCarrier& carrier, const Context& base) const {
  const std::optional<std::string_view> header = carrier.get(kBaggage);
  if (!header) return base;
  Baggage received = Baggage::parse(*header);
  if (received.empty()) return base;
  if (base.baggage().empty()) return base.with_baggage(std::move(received));
  // Received entries are added to what the base already holds, replacing equal keys.
  Baggage merged = base.baggage();
  for (const Baggage::Entry& entry : received.entries()) {
    merged = merged.set(entry.key, entry.value, entry.metadata);
  }
  return base.with_baggage(std::move(merged));
}

void CompositePropagator::inject(const Context& context, TextMapCarrier& carrier) const {
  for (const auto& propagator : propagators_) {
    if (propagator) propagator->inject(context, carrier);
  }
}

Context CompositePropagator::extract(const TextMapCarrier& carrier, const Context& base) const {
  Context result = base;
  for (const auto& propagator : propagators_) {
    if (propagator) result = propagator->extract(carrier, result);
  }
  return result;
}

std::vector<std::string> CompositePropagator::fields() const {
  std::vector<std::string> all;
  for (const auto& propagator : propagators_) {
    if (!propagator) continue;
    for (std::string& field : propagator->fields()) {
      if (std::find(all.begin(), all.end(), field) == all.end()) all.push_back(std::move(field));
    }
  }
  return all;
}

}  // namespace weft
