#include "config/otlp_config.h"

#include <algorithm>

#include "config/env_values.h"

namespace weft::detail {
namespace {

// Reads the traces-specific variable first, then the general one, as the specification says.
class OtlpVariables {
 public:
  OtlpVariables(const Environment& environment, std::vector<std::string>& warnings)
      : environment_(environment), warnings_(warnings) {}

  // The value and the name of the variable it came from; empty values count as unset.
  std::optional<std::pair<std::string, std::string>> get(std::string_view suffix) const {
    for (const std::string prefix : {"OTEL_EXPORTER_OTLP_TRACES_", "OTEL_EXPORTER_OTLP_"}) {
      const std::string name = prefix + std::string(suffix);
      std::optional<std::string> value = environment_ ? environment_(name) : std::nullopt;
      if (value && !trim(*value).empty()) return std::make_pair(name, std::string(trim(*value)));
    }
    return std::nullopt;
  }

  void warn(const std::string& name, const std::string& value, std::string_view expected,
            std::string_view fallback) const {
    warnings_.push_back(name + "=\"" + value + "\" is not valid (expected " +
                        std::string(expected) + "); using " + std::string(fallback));
  }

  const Environment& environment() const { return environment_; }

 private:
  const Environment& environment_;
  std::vector<std::string>& warnings_;
};

// The authority of a URL (RFC 3986): [userinfo@]host[:port], with a host that is not empty and a
// port of digits up to 65535. An empty port is allowed, as the RFC does: the scheme's default.
bool is_valid_authority(std::string_view authority) {
  const std::size_t at = authority.rfind('@');
  if (at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::size_t host_end = 0;
  if (!authority.empty() && authority[0] == '[') {  // an IPv6 literal
    host_end = authority.find(']');
    if (host_end == std::string_view::npos || host_end == 1) return false;
    ++host_end;
  } else {
    host_end = std::min(authority.find(':'), authority.size());
    if (host_end == 0) return false;
  }
  const std::string_view rest = authority.substr(host_end);
  if (rest.empty()) return true;
  if (rest[0] != ':') return false;
  const std::string_view port = rest.substr(1);
  if (port.size() > 5) return false;
  unsigned value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return value <= 65535;
}

bool is_http_url(std::string_view url) {
  const std::string lower = to_lower(url);
  std::size_t authority_begin = 0;
  if (lower.rfind("http://", 0) == 0) {
    authority_begin = 7;
  } else if (lower.rfind("https://", 0) == 0) {
    authority_begin = 8;
  } else {
    return false;
  }
  const std::string_view rest = url.substr(authority_begin);
  return is_valid_authority(rest.substr(0, rest.find_first_of("/?#")));
}

void read_endpoint(const OtlpVariables& variables, OtlpHttpOptions& options) {
  const Environment& environment = variables.environment();
  auto read = [&](const char* name) -> std::optional<std::string> {
    std::optional<std::string> value = environment ? environment(name) : std::nullopt;
    if (value && trim(*value).empty()) return std::nullopt;
    if (value) return std::string(trim(*value));
    return std::nullopt;
  };
  if (auto url = read("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")) {
    if (is_http_url(*url)) {
      options.endpoint = *url;  // used as is: no path is added
      return;
    }
    variables.warn("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", *url, "an http:// or https:// URL",
                   "the general endpoint");
  }
  if (auto base = read("OTEL_EXPORTER_OTLP_ENDPOINT")) {
    if (is_http_url(*base)) {
      options.endpoint = traces_url_from_base(*base);
      return;
    }
    variables.warn("OTEL_EXPORTER_OTLP_ENDPOINT", *base, "an http:// or https:// URL",
                   options.endpoint);
  }
}

}  // namespace

std::string traces_url_from_base(std::string_view base) {
  // The path is what gets "/v1/traces": a query or fragment (which the specification lets an
  // exporter ignore) stays after it rather than swallowing it.
  const std::size_t scheme_end = base.find("://");
  const std::size_t suffix_at =
      base.find_first_of("?#", scheme_end == std::string_view::npos ? 0 : scheme_end + 3);
  std::string url(base.substr(0, suffix_at));
  if (url.empty() || url.back() != '/') url.push_back('/');
  url += "v1/traces";
  if (suffix_at != std::string_view::npos) url += base.substr(suffix_at);
  return url;
}

OtlpHttpOptions otlp_options_from_environment(const Environment& environment,
                                              std::vector<std::string>& warnings) {
  OtlpHttpOptions options;
  const OtlpVariables variables(environment, warnings);
  read_endpoint(variables, options);

  if (auto protocol = variables.get("PROTOCOL")) {
    const std::string name = to_lower(protocol->second);
    if (name == "http/json") {
      options.protocol = OtlpProtocol::kHttpJson;
    } else if (name != "http/protobuf") {
      variables.warn(protocol->first, protocol->second,
                     name == "grpc" ? "http/protobuf or http/json; this weft has no gRPC"
                                    : "http/protobuf or http/json",
                     "http/protobuf");
    }
  }
  if (auto headers = variables.get("HEADERS")) {
    if (auto members = parse_key_value_list(headers->second)) {
      options.headers = std::move(*members);
    } else {
      variables.warn(headers->first, headers->second, "key1=value1,key2=value2 (percent-encoded)",
                     "no headers");
    }
  }
  if (auto timeout = variables.get("TIMEOUT")) {
    // A Timeout: 0 means no limit (see timeout_from_milliseconds).
    if (auto milliseconds = parse_unsigned(timeout->second)) {
      options.timeout = timeout_from_milliseconds(*milliseconds);
    } else {
      variables.warn(timeout->first, timeout->second,
                     "a non-negative number of milliseconds, 0 for no limit",
                     std::to_string(options.timeout.count()));
    }
  }
  if (auto compression = variables.get("COMPRESSION")) {
    const std::string name = to_lower(compression->second);
    if (name == "gzip") {
      options.gzip = true;
    } else if (name != "none") {
      variables.warn(compression->first, compression->second, "gzip or none", "none");
    }
  }
  if (auto file = variables.get("CERTIFICATE")) options.certificate_file = file->second;
  if (auto file = variables.get("CLIENT_CERTIFICATE"))
    options.client_certificate_file = file->second;
  if (auto file = variables.get("CLIENT_KEY")) options.client_key_file = file->second;
  // OTEL_EXPORTER_OTLP_INSECURE applies to gRPC only; for HTTP the URL's scheme decides.
  return options;
}

}  // namespace weft::detail
