#include "child_environment.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <string_view>

#include "weft/propagation.h"

namespace weft::cli {
namespace {

// Whatever OTEL_PROPAGATORS says, these are the variables a child could mistake for our context
// (or, for WEFT_RELAY, for a relay to our parent): inherited ones always go.
constexpr std::array<std::string_view, 4> kContextVariables = {"TRACEPARENT", "TRACESTATE",
                                                               "BAGGAGE", "WEFT_RELAY"};

std::string upper_case(std::string_view text) {
  std::string upper(text);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return upper;
}

// Propagation fields as environment variables: the field name in upper case.
class EnvironmentCarrier final : public TextMapCarrier {
 public:
  std::optional<std::string_view> get(std::string_view key) const override {
    const auto found = variables_.find(upper_case(key));
    if (found == variables_.end()) return std::nullopt;
    return std::string_view(found->second);
  }
  void set(std::string_view key, std::string_view value) override {
    variables_[upper_case(key)] = std::string(value);
  }
  const std::map<std::string, std::string>& variables() const { return variables_; }

 private:
  std::map<std::string, std::string> variables_;
};

bool is_context_variable(std::string_view entry) {
  const std::string_view name = entry.substr(0, entry.find('='));
  return std::find(kContextVariables.begin(), kContextVariables.end(), name) !=
         kContextVariables.end();
}

}  // namespace

Context context_from_environment(const char* const* environment) {
  EnvironmentCarrier carrier;
  for (const char* const* entry = environment; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const std::size_t equals = text.find('=');
    if (equals != std::string_view::npos && is_context_variable(text)) {
      carrier.set(text.substr(0, equals), text.substr(equals + 1));
    }
  }
  return propagation::global().extract(carrier);
}

std::vector<std::string> child_environment(const char* const* inherited, const Context& context) {
  std::vector<std::string> environment;
  for (const char* const* entry = inherited; entry != nullptr && *entry != nullptr; ++entry) {
    if (!is_context_variable(*entry)) environment.emplace_back(*entry);
  }
  EnvironmentCarrier carrier;
  propagation::global().inject(context, carrier);
  for (const auto& [name, value] : carrier.variables()) environment.push_back(name + '=' + value);
  return environment;
}

std::vector<std::string> substitute_traceparent(std::vector<std::string> arguments,
                                                const std::string& traceparent) {
  static const std::string kPlaceholder = "{{traceparent}}";
  for (std::string& argument : arguments) {
    for (std::size_t at = argument.find(kPlaceholder); at != std::string::npos;
         at = argument.find(kPlaceholder, at + traceparent.size())) {
      argument.replace(at, kPlaceholder.size(), traceparent);
    }
  }
  return arguments;
}

}  // namespace weft::cli
