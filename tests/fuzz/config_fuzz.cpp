// Fuzzes the OTEL_* configuration: the input is a fake environment, one "NAME=value" per line.
// finalize_config() must turn any environment into a Config (warnings, not crashes), and the
// OTLP exporter's variables (headers lists, URLs, numbers) the same.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "config/otlp_config.h"
#include "fuzz_check.h"
#include "weft/config.h"

namespace {

std::map<std::string, std::string, std::less<>> variables_from(std::string_view text) {
  std::map<std::string, std::string, std::less<>> variables;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    const std::size_t equals = line.find('=');
    if (equals != std::string_view::npos) {
      variables[std::string(line.substr(0, equals))] = std::string(line.substr(equals + 1));
    }
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return variables;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto variables =
      variables_from(std::string_view(reinterpret_cast<const char*>(data), size));
  const weft::Environment environment = [&](std::string_view name) -> std::optional<std::string> {
    const auto found = variables.find(name);
    if (found == variables.end()) return std::nullopt;
    return found->second;
  };

  // No exporter and no relay: the fuzzer must not open files, sockets or inherited descriptors
  // named by its input. Everything else is read from the fuzzed environment.
  weft::Options options;
  options.exporter = "none";
  options.relay_to_parent = false;
  const weft::Config config = weft::finalize_config(options, environment);
  if (!config.disabled) WEFT_FUZZ_CHECK(config.sampler != nullptr);
  WEFT_FUZZ_CHECK(config.processors.empty());

  std::vector<std::string> warnings;
  const weft::OtlpHttpOptions otlp =
      weft::detail::otlp_options_from_environment(environment, warnings);
  for (const auto& [name, value] : otlp.headers) WEFT_FUZZ_CHECK(!name.empty());
  return 0;
}
