#include "propagation/global_propagator.h"

#include <cstdlib>
#include <mutex>

#include "config/env_values.h"
#include "diagnostics/log.h"

namespace weft {
namespace detail {

std::shared_ptr<const Propagator> make_propagator_from_env_value(std::string_view value) {
  std::vector<std::shared_ptr<const Propagator>> chosen;
  for (const std::string& name : parse_name_list(value)) {
    if (name == "tracecontext") {
      chosen.push_back(std::make_shared<TraceContextPropagator>());
    } else if (name == "baggage") {
      chosen.push_back(std::make_shared<BaggagePropagator>());
    } else if (name == "none") {
      return std::make_shared<CompositePropagator>(std::vector<std::shared_ptr<const Propagator>>{});
    } else {
      log_warning("OTEL_PROPAGATORS: \"" + name +
                  "\" is not supported (tracecontext, baggage, none); skipped");
    }
  }
  return std::make_shared<CompositePropagator>(std::move(chosen));
}

}  // namespace detail

namespace propagation {
namespace {

struct GlobalPropagator {
  std::mutex mutex;
  std::shared_ptr<const Propagator> current;
  std::vector<std::shared_ptr<const Propagator>> kept;  // references handed out stay valid
};

GlobalPropagator& global_state() {
  static GlobalPropagator* const state = new GlobalPropagator();  // never destroyed
  return *state;
}

}  // namespace

const Propagator& global() {
  GlobalPropagator& state = global_state();
  std::lock_guard<std::mutex> lock(state.mutex);
  if (!state.current) {
    const char* value = std::getenv("OTEL_PROPAGATORS");
    state.current = detail::make_propagator_from_env_value(
        value != nullptr && *value != '\0' ? value : "tracecontext,baggage");
    state.kept.push_back(state.current);
  }
  return *state.current;
}

void set_global(std::shared_ptr<const Propagator> propagator) {
  if (!propagator) return;
  GlobalPropagator& state = global_state();
  std::lock_guard<std::mutex> lock(state.mutex);
  state.current = propagator;
  state.kept.push_back(std::move(propagator));
}

}  // namespace propagation
}  // namespace weft
