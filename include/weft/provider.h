// The tracer provider owns the configuration (resource, sampler, processors, limits) and the
// tracers. Most programs use the global provider, built from the environment on first use:
//
//   weft::Tracer tracer = weft::get_tracer("checkout", "1.2.0");
//
// Spans still queued when the process exits normally are flushed by the global provider.
#pragma once

#include <chrono>
#include <memory>
#include <string_view>

#include "weft/config.h"
#include "weft/tracer.h"

namespace weft {

class TracerProvider;
class SpanProcessor;

namespace detail {
struct ProviderState;
// Where spans received from child processes go (null when the provider records nothing).
std::shared_ptr<SpanProcessor> processor_of(const TracerProvider& provider) noexcept;
// The limits the provider's spans keep to (for attributes added to spans received from children).
SpanLimits limits_of(const TracerProvider& provider) noexcept;
// In a child of weft::fork(): spans go to the parent through `relay` from now on.
void relay_in_forked_child(TracerProvider& provider, std::shared_ptr<SpanProcessor> relay) noexcept;
}  // namespace detail

class TracerProvider {
 public:
  explicit TracerProvider(Config config);
  ~TracerProvider();  // shuts down; the provider must outlive the spans it started
  TracerProvider(const TracerProvider&) = delete;
  TracerProvider& operator=(const TracerProvider&) = delete;

  static std::shared_ptr<TracerProvider> create(Options options = {}) {
    return std::make_shared<TracerProvider>(finalize_config(std::move(options)));
  }

  // The same name and version give the same tracer.
  Tracer tracer(std::string_view name, std::string_view version = {},
                std::string_view schema_url = {});
  const Resource& resource() const noexcept;

  // Exports what has been ended so far. Both return false if `timeout` passed first.
  bool force_flush(std::chrono::milliseconds timeout = std::chrono::seconds(30)) noexcept;
  // Flushes and stops; spans ended afterwards are dropped and counted.
  bool shutdown(std::chrono::milliseconds timeout = std::chrono::seconds(30)) noexcept;

 private:
  friend std::shared_ptr<SpanProcessor> detail::processor_of(const TracerProvider&) noexcept;
  friend SpanLimits detail::limits_of(const TracerProvider&) noexcept;
  friend void detail::relay_in_forked_child(TracerProvider&,
                                            std::shared_ptr<SpanProcessor>) noexcept;
  std::unique_ptr<detail::ProviderState> state_;
};

// The process-wide provider (built from the environment on first use).
TracerProvider& global_provider();
// Replaces the global provider. The previous one is shut down, but kept in memory until exit so
// that spans it started can still end safely.
void set_global_provider(std::shared_ptr<TracerProvider> provider);
inline Tracer get_tracer(std::string_view name, std::string_view version = {}) {
  return global_provider().tracer(name, version);
}

}  // namespace weft
