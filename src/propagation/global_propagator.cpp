// The process-wide propagator: chosen by OTEL_PROPAGATORS on first use, replaceable by
// set_global().
#include "propagation/global_propagator.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "config/env_values.h"
#include "diagnostics/log.h"

namespace weft {
namespace detail {

std::shared_ptr<const Propagator> make_propagator_from_env_value(std::string_view value) {
  std::vector<std::string> names = parse_name_list(value);  // trimmed, lowercased, no empties
  if (names.empty()) names = {"tracecontext", "baggage"};

  std::vector<std::string> seen;  // the specification: register each propagator only once
  std::vector<std::shared_ptr<const Propagator>> chosen;
  bool none = false;
  for (std::string& name : names) {
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) continue;
    if (name == "tracecontext") {
      chosen.push_back(std::make_shared<TraceContextPropagator>());
    } else if (name == "baggage") {
      chosen.push_back(std::make_shared<BaggagePropagator>());
    } else if (name == "none") {
      none = true;
    } else {
      log_warning("OTEL_PROPAGATORS: propagator \"" + name +
                  "\" is not supported (supported: tracecontext, baggage, none); skipped");
    }
    seen.push_back(std::move(name));
  }
  if (none) {
    if (!chosen.empty()) {
      log_warning("OTEL_PROPAGATORS: \"none\" is combined with other names; no propagator is used");
    }
    chosen.clear();
  }
  // With nothing chosen, the empty composite is the propagator that does nothing.
  return std::make_shared<CompositePropagator>(std::move(chosen));
}

}  // namespace detail

namespace propagation {
namespace {

struct GlobalPropagator {
  // Read without a lock on every call; written under `mutex`.
  std::atomic<const Propagator*> current{nullptr};
  std::mutex mutex;
  // global() hands out references, so every propagator it has returned must stay alive: they are
  // all kept here until the process ends (one per set_global() call).
  std::vector<std::shared_ptr<const Propagator>> owned;
};

GlobalPropagator& global_state() {
  // Never destroyed: propagation may still run in other threads or exit handlers.
  static GlobalPropagator* const state = new GlobalPropagator();
  return *state;
}

void install(GlobalPropagator& state, std::shared_ptr<const Propagator> propagator) {
  state.owned.push_back(std::move(propagator));
  state.current.store(state.owned.back().get(), std::memory_order_release);
}

}  // namespace

const Propagator& global() {
  GlobalPropagator& state = global_state();
  if (const Propagator* current = state.current.load(std::memory_order_acquire)) return *current;
  std::lock_guard<std::mutex> lock(state.mutex);
  if (const Propagator* current = state.current.load(std::memory_order_acquire)) return *current;
  const char* value = std::getenv("OTEL_PROPAGATORS");
  install(state, detail::make_propagator_from_env_value(value != nullptr ? value : ""));
  return *state.current.load(std::memory_order_relaxed);
}

void set_global(std::shared_ptr<const Propagator> propagator) {
  // A null propagator means "propagate nothing" rather than crashing later.
  if (!propagator) propagator = detail::make_propagator_from_env_value("none");
  GlobalPropagator& state = global_state();
  std::lock_guard<std::mutex> lock(state.mutex);
  install(state, std::move(propagator));
}

}  // namespace propagation
}  // namespace weft
