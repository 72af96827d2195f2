// Context across exec(): OpenTelemetry's environment variables as a context carrier
// (TRACEPARENT, TRACESTATE, BAGGAGE). A program built with weft whose environment carries them
// starts with that context current on its main thread, so it joins its parent's trace with no
// code at all (WEFT_INHERIT_CONTEXT=false turns that off). Malformed values are ignored with one
// warning.
//
//   std::vector<std::string> env = weft::current_environment();
//   weft::inject_environment(weft::Context::current(), env);  // then execve(..., env)
//
// weft::spawn() (weft/spawn.h) does this for you.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "weft/context.h"
#include "weft/propagation.h"

namespace weft {

// A carrier over a list of "NAME=value" strings (the form execve() takes). Keys are the
// propagators' field names in uppercase: "traceparent" is read and written as TRACEPARENT.
class EnvironmentCarrier final : public TextMapCarrier {
 public:
  explicit EnvironmentCarrier(std::vector<std::string>& environment) : environment_(environment) {}
  std::optional<std::string_view> get(std::string_view key) const override;
  void set(std::string_view key, std::string_view value) override;
  void remove(std::string_view key) override;

 private:
  std::vector<std::string>& environment_;
};

// The calling process's environment as "NAME=value" strings.
std::vector<std::string> current_environment();

// Writes `context` into `environment` with the global propagator, first removing any
// TRACEPARENT, TRACESTATE and BAGGAGE it held (so a child never sees a stale parent).
void inject_environment(const Context& context, std::vector<std::string>& environment);

// The context the process environment carries (a remote parent), or an empty context.
Context context_from_environment();

}  // namespace weft
