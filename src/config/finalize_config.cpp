// Options + OTEL_* environment variables -> Config. Every bad value becomes a warning that names the
// variable, the value and the default used instead.
#include <algorithm>
#include <cstdlib>

#include "config/env_values.h"
#include "config/otlp_config.h"
#include "process/relay_sender.h"
#include "weft/config.h"

namespace weft {
namespace {

constexpr const char* kDefaultTracesFile = "weft-traces.jsonl";

class EnvironmentReader {
 public:
  EnvironmentReader(const Environment& environment, std::vector<std::string>& warnings)
      : environment_(environment), warnings_(warnings) {}

  // The variable's value; an empty value counts as unset (OpenTelemetry's rule).
  std::optional<std::string> text(std::string_view name) const {
    std::optional<std::string> value = environment_ ? environment_(name) : std::nullopt;
    if (value && detail::trim(*value).empty()) return std::nullopt;
    return value;
  }

  bool boolean(std::string_view name, bool fallback) const {
    const auto value = text(name);
    if (!value) return fallback;
    if (auto parsed = detail::parse_bool(*value)) return *parsed;
    warn(name, *value, "true or false", fallback ? "true" : "false");
    return fallback;
  }

  // Like boolean(), also taking 1 and 0 (for weft's own switches, typed by hand).
  bool flag(std::string_view name, bool fallback) const {
    const auto value = text(name);
    if (value && detail::trim(*value) == "1") return true;
    if (value && detail::trim(*value) == "0") return false;
    return boolean(name, fallback);
  }

  std::uint64_t count(std::string_view name, std::uint64_t fallback) const {
    const auto value = text(name);
    if (!value) return fallback;
    if (auto parsed = detail::parse_unsigned(*value)) return *parsed;
    warn(name, *value, "a non-negative integer", std::to_string(fallback));
    return fallback;
  }

  void warn(std::string_view name, std::string_view value, std::string_view expected,
            std::string_view fallback) const {
    warnings_.push_back(std::string(name) + "=\"" + std::string(value) + "\" is not valid (expected " +
                        std::string(expected) + "); using " + std::string(fallback));
  }

  void note(std::string message) const { warnings_.push_back(std::move(message)); }

  const Environment& environment() const { return environment_; }
  std::vector<std::string>& warnings() const { return warnings_; }

 private:
  const Environment& environment_;
  std::vector<std::string>& warnings_;
};

Resource build_resource(const Options& options, const EnvironmentReader& env) {
  Resource resource = Resource::detect();
  if (auto text = env.text("OTEL_RESOURCE_ATTRIBUTES")) {
    if (auto members = detail::parse_key_value_list(*text)) {
      Attributes attributes;
      for (auto& [key, value] : *members) attributes.emplace_back(key, std::move(value));
      resource = resource.merge(Resource(std::move(attributes)));
    } else {
      env.warn("OTEL_RESOURCE_ATTRIBUTES", *text, "key1=value1,key2=value2",
               "no attributes from it");
    }
  }
  if (auto name = env.text("OTEL_SERVICE_NAME")) {
    resource = resource.merge(Resource({{"service.name", *name}}));
  }
  resource = resource.merge(Resource(options.resource_attributes));
  if (options.service_name) resource = resource.merge(Resource({{"service.name", *options.service_name}}));
  return resource;
}

std::shared_ptr<const Sampler> ratio_sampler(const EnvironmentReader& env) {
  double ratio = 1.0;
  if (auto text = env.text("OTEL_TRACES_SAMPLER_ARG")) {
    auto parsed = detail::parse_double(*text);
    if (parsed && *parsed >= 0.0 && *parsed <= 1.0) {
      ratio = *parsed;
    } else {
      env.warn("OTEL_TRACES_SAMPLER_ARG", *text, "a ratio between 0 and 1", "1.0");
    }
  }
  return trace_id_ratio_sampler(ratio);
}

std::shared_ptr<const Sampler> sampler_from_environment(const EnvironmentReader& env) {
  const auto text = env.text("OTEL_TRACES_SAMPLER");
  const std::string name = text ? detail::to_lower(detail::trim(*text)) : "parentbased_always_on";
  if (name == "always_on") return always_on_sampler();
  if (name == "always_off") return always_off_sampler();
  if (name == "traceidratio") return ratio_sampler(env);
  if (name == "parentbased_always_on") return parent_based_sampler(always_on_sampler());
  if (name == "parentbased_always_off") return parent_based_sampler(always_off_sampler());
  if (name == "parentbased_traceidratio") return parent_based_sampler(ratio_sampler(env));
  env.warn("OTEL_TRACES_SAMPLER", *text,
           "always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off "
           "or parentbased_traceidratio",
           "parentbased_always_on");
  return parent_based_sampler(always_on_sampler());
}

SpanLimits limits_from_environment(const EnvironmentReader& env) {
  SpanLimits limits;
  // The general attribute limits apply unless the span-specific variables say otherwise.
  const std::uint64_t count = env.count("OTEL_ATTRIBUTE_COUNT_LIMIT", limits.attribute_count);
  const std::uint64_t length =
      env.count("OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", limits.attribute_value_length);
  limits.attribute_count = env.count("OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", count);
  limits.attribute_value_length = env.count("OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", length);
  limits.event_count = env.count("OTEL_SPAN_EVENT_COUNT_LIMIT", limits.event_count);
  limits.link_count = env.count("OTEL_SPAN_LINK_COUNT_LIMIT", limits.link_count);
  limits.attributes_per_event = env.count("OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT", count);
  limits.attributes_per_link = env.count("OTEL_LINK_ATTRIBUTE_COUNT_LIMIT", count);
  return limits;
}

// A Duration in milliseconds; values past what a wait can use are capped at about 24.8 days (a
// value over INT64_MAX used to turn negative).
std::chrono::milliseconds milliseconds(const EnvironmentReader& env, std::string_view name,
                                       std::chrono::milliseconds fallback) {
  const std::uint64_t value = env.count(name, static_cast<std::uint64_t>(fallback.count()));
  const auto longest = static_cast<std::uint64_t>(detail::kIndefiniteTimeout.count());
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::min(value, longest)));
}

BatchOptions batch_from_environment(const EnvironmentReader& env) {
  BatchOptions batch;
  const BatchOptions defaults;
  batch.schedule_delay = milliseconds(env, "OTEL_BSP_SCHEDULE_DELAY", batch.schedule_delay);
  // A Timeout: 0 means no limit (see timeout_from_milliseconds).
  if (env.text("OTEL_BSP_EXPORT_TIMEOUT")) {
    batch.export_timeout = detail::timeout_from_milliseconds(env.count(
        "OTEL_BSP_EXPORT_TIMEOUT", static_cast<std::uint64_t>(batch.export_timeout.count())));
  }
  batch.max_queue_size = env.count("OTEL_BSP_MAX_QUEUE_SIZE", batch.max_queue_size);
  if (batch.max_queue_size == 0) {
    env.warn("OTEL_BSP_MAX_QUEUE_SIZE", "0", "a positive integer",
             std::to_string(defaults.max_queue_size));
    batch.max_queue_size = defaults.max_queue_size;
  }
  // A value out of the valid range (1 to the queue size) is treated as not set, as the
  // specification says of numeric variables; the default shrinks to a smaller queue.
  batch.max_export_batch_size = std::min(defaults.max_export_batch_size, batch.max_queue_size);
  if (const auto text = env.text("OTEL_BSP_MAX_EXPORT_BATCH_SIZE")) {
    const std::uint64_t size =
        env.count("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", batch.max_export_batch_size);
    if (size == 0 || size > batch.max_queue_size) {
      env.warn("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", *text,
               "between 1 and OTEL_BSP_MAX_QUEUE_SIZE (" + std::to_string(batch.max_queue_size) +
                   ")",
               std::to_string(batch.max_export_batch_size));
    } else {
      batch.max_export_batch_size = size;
    }
  }
  return batch;
}

std::vector<std::shared_ptr<SpanProcessor>> processors_from_exporters(
    const Options& options, const BatchOptions& batch, const EnvironmentReader& env) {
  std::vector<std::string> names;
  if (options.exporter) {
    names = detail::parse_name_list(*options.exporter);
  } else if (auto text = env.text("OTEL_TRACES_EXPORTER")) {
    names = detail::parse_name_list(*text);
  } else if (env.text("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") ||
             env.text("OTEL_EXPORTER_OTLP_ENDPOINT")) {
    // OpenTelemetry's default exporter is otlp. weft uses it by default once a collector is
    // named, so that a program nobody pointed anywhere does not post to localhost:4318.
    names = {"otlp"};
  }
  std::vector<std::shared_ptr<SpanProcessor>> processors;
  for (const std::string& name : names) {
    if (name == "none") continue;
    if (name == "console") {
      processors.push_back(make_simple_processor(make_console_exporter()));
    } else if (name == "file") {
      const std::string path = options.file_path ? *options.file_path
                                                 : env.text("WEFT_TRACES_FILE").value_or(kDefaultTracesFile);
      std::string error;
      auto exporter = make_file_exporter(path, &error);
      if (exporter) {
        processors.push_back(make_batch_processor(std::move(exporter), batch));
      } else {
        env.note("file exporter: " + error + "; spans will not be written there");
      }
    } else if (name == "otlp") {
      OtlpHttpOptions otlp = options.otlp ? *options.otlp
                                          : detail::otlp_options_from_environment(
                                                env.environment(), env.warnings());
      if (auto exporter = make_otlp_http_exporter(std::move(otlp))) {
        processors.push_back(make_batch_processor(std::move(exporter), batch));
      } else {
        env.note("otlp exporter: libcurl could not be initialised; spans will not be sent");
      }
    } else {
      env.warn("OTEL_TRACES_EXPORTER", name, "console, file, otlp or none",
               "no exporter for it");
    }
  }
  return processors;
}

}  // namespace

Environment process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Config finalize_config(Options options, const Environment& environment) {
  Config config;
  EnvironmentReader env(environment, config.warnings);
  config.disabled = options.disabled ? *options.disabled : env.boolean("OTEL_SDK_DISABLED", false);
  if (config.disabled) return config;
  config.resource = build_resource(options, env);
  config.sampler = options.sampler ? options.sampler : sampler_from_environment(env);
  config.limits = options.limits ? *options.limits : limits_from_environment(env);
  config.batch = options.batch ? *options.batch : batch_from_environment(env);
  config.strict_context = options.strict_context ? *options.strict_context
                                                 : env.flag("WEFT_STRICT_CONTEXT", false);
  if (!options.processors.empty()) {
    config.processors = std::move(options.processors);
  } else if (const auto relay = options.relay_to_parent.value_or(true)
                                    ? detail::take_inherited_relay(environment(detail::kRelayVariable))
                                    : std::nullopt) {
    // Started by a weft parent that exports for it: nothing to configure here.
    config.processors.push_back(detail::make_relay_sender(*relay));
  } else {
    config.processors = processors_from_exporters(options, config.batch, env);
  }
  return config;
}

}  // namespace weft
