// Test support: a provider whose spans land in memory, configured without reading the process
// environment.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "weft/config.h"
#include "weft/exporter.h"
#include "weft/processor.h"
#include "weft/provider.h"

namespace weft::testing {

// An Environment backed by a map, so tests never depend on the real environment.
inline Environment fake_environment(std::map<std::string, std::string> variables) {
  return [variables = std::move(variables)](std::string_view name) -> std::optional<std::string> {
    auto found = variables.find(std::string(name));
    if (found == variables.end()) return std::nullopt;
    return found->second;
  };
}

struct MemoryProvider {
  std::shared_ptr<InMemorySpans> spans = std::make_shared<InMemorySpans>();
  std::shared_ptr<TracerProvider> provider;

  explicit MemoryProvider(Options options = {}) {
    options.processors.push_back(make_simple_processor(make_memory_exporter(spans)));
    provider = std::make_shared<TracerProvider>(
        finalize_config(std::move(options), fake_environment({})));
  }

  Tracer tracer(std::string_view name = "test") { return provider->tracer(name); }

  // The exported span named `name` (the last one, if several); a default SpanData if none.
  SpanData find(const std::string& name) const {
    SpanData found;
    for (const SpanData& span : spans->spans()) {
      if (span.name == name) found = span;
    }
    return found;
  }
};

}  // namespace weft::testing
