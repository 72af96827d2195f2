// Propagation: writing a context into a carrier (HTTP headers, environment variables, a message)
// and reading it back on the other side. Formats: W3C Trace Context (`traceparent`, `tracestate`)
// and W3C Baggage (`baggage`).
//
//   std::map<std::string, std::string> headers;
//   weft::MapCarrier carrier(headers);
//   weft::propagation::global().inject(weft::Context::current(), carrier);
//   ...
//   weft::Context parent = weft::propagation::global().extract(carrier);  // is_remote = true
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "weft/context.h"

namespace weft {

// Reads and writes one carrier. Keys are given in lowercase; a carrier decides how to match them
// (HTTP headers case-insensitively, environment variables in uppercase).
class TextMapCarrier {
 public:
  virtual ~TextMapCarrier() = default;
  virtual std::optional<std::string_view> get(std::string_view key) const = 0;
  virtual void set(std::string_view key, std::string_view value) = 0;
  // Removes `key` in every spelling. The W3C propagator calls it for `tracestate` when it writes
  // a `traceparent` with no trace state, so that a carrier reused from one message to the next
  // does not send another trace's state along. The default does nothing: enough for a carrier that
  // starts empty. (Like OpenTelemetry's other SDKs, inject leaves a carrier as it is when the
  // context has no span, or no baggage: clear a reused carrier between messages.)
  virtual void remove(std::string_view key) { static_cast<void>(key); }
};

// A carrier over a std::map whose keys are matched case-insensitively. get() prefers the exact
// spelling; set() leaves one entry for the key, spelled as given.
class MapCarrier final : public TextMapCarrier {
 public:
  explicit MapCarrier(std::map<std::string, std::string>& map) : map_(map) {}
  std::optional<std::string_view> get(std::string_view key) const override;
  void set(std::string_view key, std::string_view value) override;
  void remove(std::string_view key) override;

 private:
  std::map<std::string, std::string>& map_;
};

class Propagator {
 public:
  virtual ~Propagator() = default;
  virtual void inject(const Context& context, TextMapCarrier& carrier) const = 0;
  // Returns `base` with what the carrier holds merged in; what is missing or invalid is ignored.
  virtual Context extract(const TextMapCarrier& carrier, const Context& base) const = 0;
  Context extract(const TextMapCarrier& carrier) const { return extract(carrier, Context()); }
  virtual std::vector<std::string> fields() const = 0;
};

// W3C Trace Context: `traceparent` and `tracestate`.
class TraceContextPropagator final : public Propagator {
 public:
  void inject(const Context& context, TextMapCarrier& carrier) const override;
  using Propagator::extract;
  Context extract(const TextMapCarrier& carrier, const Context& base) const override;
  std::vector<std::string> fields() const override { return {"traceparent", "tracestate"}; }
};

// W3C Baggage: `baggage`.
class BaggagePropagator final : public Propagator {
 public:
  void inject(const Context& context, TextMapCarrier& carrier) const override;
  using Propagator::extract;
  Context extract(const TextMapCarrier& carrier, const Context& base) const override;
  std::vector<std::string> fields() const override { return {"baggage"}; }
};

// Runs several propagators in order.
class CompositePropagator final : public Propagator {
 public:
  explicit CompositePropagator(std::vector<std::shared_ptr<const Propagator>> propagators)
      : propagators_(std::move(propagators)) {}
  void inject(const Context& context, TextMapCarrier& carrier) const override;
  using Propagator::extract;
  Context extract(const TextMapCarrier& carrier, const Context& base) const override;
  std::vector<std::string> fields() const override;

 private:
  std::vector<std::shared_ptr<const Propagator>> propagators_;
};

// The `traceparent` header on its own, for code that handles headers itself.
// Parses every rule of the W3C specification (version, lengths, lowercase hex, all-zero ids,
// future versions); returns nullopt for an invalid header. The result has is_remote = true.
std::optional<SpanContext> parse_traceparent(std::string_view header) noexcept;
// Formats version 00: "00-<trace-id>-<span-id>-<flags>". Empty for an invalid context.
std::string format_traceparent(const SpanContext& context);

namespace propagation {
// The process-wide propagator, chosen by OTEL_PROPAGATORS (default: tracecontext,baggage).
const Propagator& global();
void set_global(std::shared_ptr<const Propagator> propagator);
}  // namespace propagation

}  // namespace weft
