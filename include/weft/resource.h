// The resource: attributes describing the entity that produces spans (service, process, host),
// and the instrumentation scope: the library or component that created a span.
#pragma once

#include <string>

#include "weft/attributes.h"

namespace weft {

class Resource {
 public:
  Resource() = default;
  explicit Resource(Attributes attributes, std::string schema_url = {});

  const Attributes& attributes() const noexcept { return attributes_; }
  const std::string& schema_url() const noexcept { return schema_url_; }
  const AttributeValue* get(std::string_view key) const noexcept {
    return find_attribute(attributes_, key);
  }
  // This resource with `updates` applied: its attributes replace same-named ones.
  Resource merge(const Resource& updates) const;

  // What weft detects on its own: telemetry.sdk.*, process.* and host.name, and service.name
  // "unknown_service:<executable>" (OpenTelemetry's default).
  static Resource detect();

 private:
  Attributes attributes_;
  std::string schema_url_;
};

struct InstrumentationScope {
  std::string name;
  std::string version;
  std::string schema_url;
};

}  // namespace weft
