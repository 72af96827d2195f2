// The environment-variable carrier, and the initial context a process takes from it.
#include "weft/environment.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>

#include "diagnostics/log.h"

extern char** environ;

namespace weft {
namespace {

std::string uppercase(std::string_view key) {
  std::string name(key);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return name;
}

// Whether `entry` is "NAME=...".
bool names(std::string_view entry, std::string_view name) {
  return entry.size() > name.size() && entry[name.size()] == '=' &&
         entry.compare(0, name.size(), name) == 0;
}

std::atomic<bool> malformed_reported{false};

}  // namespace

std::optional<std::string_view> EnvironmentCarrier::get(std::string_view key) const {
  const std::string name = uppercase(key);
  for (const std::string& entry : environment_) {
    if (names(entry, name)) return std::string_view(entry).substr(name.size() + 1);
  }
  return std::nullopt;
}

void EnvironmentCarrier::set(std::string_view key, std::string_view value) {
  remove(key);
  environment_.push_back(uppercase(key) + "=" + std::string(value));
}

void EnvironmentCarrier::remove(std::string_view key) {
  const std::string name = uppercase(key);
  environment_.erase(std::remove_if(environment_.begin(), environment_.end(),
                                    [&](const std::string& entry) { return names(entry, name); }),
                     environment_.end());
}

std::vector<std::string> current_environment() {
  std::vector<std::string> environment;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    environment.emplace_back(*entry);
  }
  return environment;
}

void inject_environment(const Context& context, std::vector<std::string>& environment) {
  EnvironmentCarrier carrier(environment);
  for (const char* name : {"traceparent", "tracestate", "baggage"}) carrier.remove(name);
  for (const std::string& field : propagation::global().fields()) carrier.remove(field);
  propagation::global().inject(context, carrier);
}

Context context_from_environment() {
  std::vector<std::string> environment;
  for (const char* name : {"TRACEPARENT", "TRACESTATE", "BAGGAGE"}) {
    if (const char* value = std::getenv(name)) environment.push_back(std::string(name) + "=" + value);
  }
  if (environment.empty()) return Context();
  EnvironmentCarrier carrier(environment);
  Context context = propagation::global().extract(carrier);
  if (const auto traceparent = carrier.get("traceparent");
      traceparent && !parse_traceparent(*traceparent)) {
    detail::log_once(malformed_reported, LogLevel::kWarning,
                     "TRACEPARENT in the environment is malformed (\"" + std::string(*traceparent) +
                         "\"); this process starts without a parent trace");
  }
  return context;
}

}  // namespace weft
