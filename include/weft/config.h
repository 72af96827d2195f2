// Configuration: an Options value plus the standard OpenTelemetry environment variables become one
// finished Config. A field set in Options wins over its environment variable; an unset field
// takes the variable; a bad variable value gets a warning naming it and the default used instead.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "weft/attributes.h"
#include "weft/otlp_exporter.h"
#include "weft/processor.h"
#include "weft/resource.h"
#include "weft/sampler.h"

namespace weft {

// Limits on what one span keeps; what goes beyond is dropped and counted in the span's
// dropped_*_count fields.
struct SpanLimits {
  std::size_t attribute_count = 128;         // OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT, OTEL_ATTRIBUTE_COUNT_LIMIT
  std::size_t attribute_value_length = SIZE_MAX;  // OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT, OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT
  std::size_t event_count = 128;             // OTEL_SPAN_EVENT_COUNT_LIMIT
  std::size_t link_count = 128;              // OTEL_SPAN_LINK_COUNT_LIMIT
  std::size_t attributes_per_event = 128;    // OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT
  std::size_t attributes_per_link = 128;     // OTEL_LINK_ATTRIBUTE_COUNT_LIMIT
};

struct Options {
  std::optional<bool> disabled;                  // OTEL_SDK_DISABLED
  std::optional<std::string> service_name;       // OTEL_SERVICE_NAME
  Attributes resource_attributes;                // merged over OTEL_RESOURCE_ATTRIBUTES
  std::shared_ptr<const Sampler> sampler;        // OTEL_TRACES_SAMPLER, OTEL_TRACES_SAMPLER_ARG
  // Exporter by name: "otlp", "console", "file", "none" (OTEL_TRACES_EXPORTER; default "otlp" when
  // OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set, else "none").
  // Ignored when `processors` is not empty.
  std::optional<std::string> exporter;
  std::optional<std::string> file_path;          // WEFT_TRACES_FILE (default weft-traces.jsonl)
  std::optional<OtlpHttpOptions> otlp;           // OTEL_EXPORTER_OTLP_*
  std::optional<BatchOptions> batch;             // OTEL_BSP_*
  std::optional<SpanLimits> limits;              // OTEL_*_LIMIT
  // Processors to use instead of the configured exporter (each receives every span).
  std::vector<std::shared_ptr<SpanProcessor>> processors;
  // A process started by weft::spawn(), weft::fork() or a weft::ProcessPool sends its spans to its
  // parent, which exports them (WEFT_RELAY, set by the parent). false: export here instead.
  std::optional<bool> relay_to_parent;
  // Report each root span started on a thread other than the first, once per thread, with the
  // thread's name (WEFT_STRICT_CONTEXT=1|true; they are always counted in diagnostics()).
  std::optional<bool> strict_context;
};

// Where configuration reads variables from; the default reads the process environment.
using Environment = std::function<std::optional<std::string>(std::string_view name)>;
Environment process_environment();

// The finished configuration; only finalize_config() builds one.
struct Config {
  bool disabled = false;
  Resource resource;
  std::shared_ptr<const Sampler> sampler;
  std::vector<std::shared_ptr<SpanProcessor>> processors;
  SpanLimits limits;
  BatchOptions batch;                  // what built the configured processor
  bool strict_context = false;
  std::vector<std::string> warnings;   // also logged once, when the provider is built

 private:
  friend Config finalize_config(Options options, const Environment& environment);
  Config() = default;
};

Config finalize_config(Options options, const Environment& environment = process_environment());

}  // namespace weft
