// The tracer provider and the process-wide global one.
#include "weft/provider.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "diagnostics/log.h"
#include "runtime/fork_hooks.h"
#include "sdk/builtin_processor.h"
#include "sdk/multi_processor.h"
#include "sdk/provider_state.h"
#include "trace/thread_attributes.h"

namespace weft {
namespace {

// Every live provider, for the fork handlers: in a child, process.pid and process.parent_pid of
// each provider's resource become the child's.
struct ProviderRegistry {
  std::mutex mutex;
  std::vector<detail::ProviderState*> providers;
};

ProviderRegistry& provider_registry() {
  static ProviderRegistry* const instance = new ProviderRegistry();  // used during exit
  return *instance;
}

void prepare_providers_for_fork() noexcept;
void release_providers_in_parent() noexcept;
void update_providers_in_child() noexcept;

void register_provider(detail::ProviderState* state) {
  detail::install_fork_handlers(detail::ForkStage::kProviders,
                                {&prepare_providers_for_fork, &release_providers_in_parent,
                                 &update_providers_in_child});
  ProviderRegistry& registry = provider_registry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  registry.providers.push_back(state);
}

void unregister_provider(detail::ProviderState* state) noexcept {
  ProviderRegistry& registry = provider_registry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  auto& all = registry.providers;
  all.erase(std::remove(all.begin(), all.end(), state), all.end());
}

}  // namespace

TracerProvider::TracerProvider(Config config)
    : state_(std::make_unique<detail::ProviderState>(std::move(config))) {
  for (const std::string& warning : state_->config.warnings) detail::log_warning(warning);
  if (!state_->config.disabled) {
    state_->processor = detail::combine_processors(state_->config.processors);
    // What weft's own processors promise (see BuiltinProcessor); an application's may do anything.
    state_->thread_names_trusted = true;
    state_->starts_watched = false;
    for (const std::shared_ptr<SpanProcessor>& processor : state_->config.processors) {
      const auto* builtin = dynamic_cast<const detail::BuiltinProcessor*>(processor.get());
      if (builtin == nullptr) state_->thread_names_trusted = false;
      if (builtin == nullptr || builtin->watches_starts()) state_->starts_watched = true;
    }
    const auto* only = dynamic_cast<const detail::BuiltinProcessor*>(state_->processor.get());
    state_->spans_as_bytes = only != nullptr && only->takes_span_bytes();
    state_->processor_times_ends = only != nullptr && only->times_span_ends();
    state_->limits_cut_thread_attributes =
        detail::limits_may_cut_thread_attributes(state_->config.limits);
  }
  register_provider(state_.get());
}

TracerProvider::~TracerProvider() {
  unregister_provider(state_.get());
  shutdown(state_->config.batch.export_timeout);
}

Tracer TracerProvider::tracer(std::string_view name, std::string_view version,
                              std::string_view schema_url) {
  if (state_->config.disabled) return Tracer();
  std::lock_guard<std::mutex> lock(state_->tracers_mutex);
  for (const detail::TracerState& tracer : state_->tracers) {
    if (tracer.scope.name == name && tracer.scope.version == version &&
        tracer.scope.schema_url == schema_url) {
      return Tracer(&tracer);
    }
  }
  detail::TracerState& added = state_->tracers.emplace_back();
  added.scope = InstrumentationScope{std::string(name), std::string(version),
                                     std::string(schema_url)};
  added.provider = state_.get();
  return Tracer(&added);
}

SpanLimits detail::limits_of(const TracerProvider& provider) noexcept {
  return provider.state_->config.limits;
}

std::shared_ptr<SpanProcessor> detail::processor_of(const TracerProvider& provider) noexcept {
  if (provider.state_->shut_down.load(std::memory_order_acquire)) return nullptr;
  return provider.state_->processor;
}

void detail::relay_in_forked_child(TracerProvider& provider,
                                   std::shared_ptr<SpanProcessor> relay) noexcept {
  // Only this thread exists in the child yet, so the processor can be swapped in place.
  provider.state_->starts_watched = true;  // the relay sends every span's start
  provider.state_->spans_as_bytes = false;
  provider.state_->processor_times_ends = false;
  std::shared_ptr<SpanProcessor> previous = std::exchange(provider.state_->processor, relay);
  if (previous) previous->shutdown(std::chrono::milliseconds(100));
}

const Resource& TracerProvider::resource() const noexcept { return state_->config.resource; }

bool TracerProvider::force_flush(std::chrono::milliseconds timeout) noexcept {
  if (state_->processor == nullptr || state_->shut_down.load()) return true;
  return state_->processor->force_flush(timeout);
}

bool TracerProvider::shutdown(std::chrono::milliseconds timeout) noexcept {
  if (state_->shut_down.exchange(true)) return true;
  if (state_->processor == nullptr) return true;
  return state_->processor->shutdown(timeout);
}

namespace {

// Every provider that was ever global, kept until exit: spans they started may still end.
struct GlobalProviders {
  std::mutex mutex;
  std::atomic<TracerProvider*> current{nullptr};
  std::vector<std::shared_ptr<TracerProvider>> kept;
  bool exit_handler_installed = false;
};

GlobalProviders& globals() {
  static GlobalProviders* const instance = new GlobalProviders();  // never destroyed
  return *instance;
}

// At normal exit, what is still queued is exported, bounded by the export timeout.
void shut_down_at_exit() {
  GlobalProviders& global = globals();
  std::vector<std::shared_ptr<TracerProvider>> providers;
  {
    std::lock_guard<std::mutex> lock(global.mutex);
    providers = global.kept;
  }
  for (auto& provider : providers) provider->shutdown();
}

// Called with the mutex held.
void make_current(GlobalProviders& global, std::shared_ptr<TracerProvider> provider) {
  global.current.store(provider.get(), std::memory_order_release);
  global.kept.push_back(std::move(provider));
  if (!global.exit_handler_installed) {
    global.exit_handler_installed = true;
    std::atexit(shut_down_at_exit);
  }
}

}  // namespace

TracerProvider& global_provider() {
  GlobalProviders& global = globals();
  if (TracerProvider* current = global.current.load(std::memory_order_acquire)) return *current;
  std::lock_guard<std::mutex> lock(global.mutex);
  if (TracerProvider* current = global.current.load(std::memory_order_acquire)) return *current;
  make_current(global, std::make_shared<TracerProvider>(finalize_config(Options{})));
  return *global.current.load(std::memory_order_acquire);
}

namespace {

// The global provider's lock first: a thread building the global provider takes the
// registry's lock while holding it.
void prepare_providers_for_fork() noexcept {
  globals().mutex.lock();
  provider_registry().mutex.lock();
  for (detail::ProviderState* state : provider_registry().providers) state->tracers_mutex.lock();
}

void release_providers_in_parent() noexcept {
  for (detail::ProviderState* state : provider_registry().providers) {
    state->tracers_mutex.unlock();
  }
  provider_registry().mutex.unlock();
  globals().mutex.unlock();
}

void update_providers_in_child() noexcept {
  const Attributes identity{{"process.pid", static_cast<std::int64_t>(getpid())},
                            {"process.parent_pid", static_cast<std::int64_t>(getppid())}};
  for (detail::ProviderState* state : provider_registry().providers) {
    try {
      // Only this thread exists now, so the resource can be replaced in place: spans and the
      // export thread (re-created after this stage) point at it.
      state->config.resource = state->config.resource.merge(Resource(identity));
    } catch (...) {
    }
    state->tracers_mutex.unlock();
  }
  provider_registry().mutex.unlock();
  globals().mutex.unlock();
}

}  // namespace

void set_global_provider(std::shared_ptr<TracerProvider> provider) {
  if (provider == nullptr) return;
  GlobalProviders& global = globals();
  TracerProvider* previous = nullptr;
  {
    std::lock_guard<std::mutex> lock(global.mutex);
    previous = global.current.load(std::memory_order_acquire);
    if (previous == provider.get()) return;
    make_current(global, std::move(provider));
  }
  if (previous != nullptr) previous->shutdown();
}

}  // namespace weft
