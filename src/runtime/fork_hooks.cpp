#include "runtime/fork_hooks.h"

#include <pthread.h>

#include <atomic>
#include <cstddef>

namespace weft::detail {

void update_identity_in_child() noexcept;  // runtime/process_info.cpp

namespace {

constexpr std::size_t kStages = static_cast<std::size_t>(ForkStage::kCount);

struct Stage {
  std::atomic<bool> installed{false};
  ForkHandlers handlers;
};

Stage stages[kStages];

void prepare_all() noexcept {
  for (Stage& stage : stages) {
    if (stage.installed.load(std::memory_order_acquire) && stage.handlers.prepare) {
      stage.handlers.prepare();
    }
  }
}

void release_in_parent() noexcept {
  for (std::size_t i = kStages; i-- > 0;) {
    Stage& stage = stages[i];
    if (stage.installed.load(std::memory_order_acquire) && stage.handlers.in_parent) {
      stage.handlers.in_parent();
    }
  }
}

void rebuild_in_child() noexcept {
  update_identity_in_child();
  for (std::size_t i = kStages; i-- > 0;) {
    Stage& stage = stages[i];
    if (stage.installed.load(std::memory_order_acquire) && stage.handlers.in_child) {
      stage.handlers.in_child();
    }
  }
}

// Registered when the library is loaded, so the child's identity is right even before any
// stage is installed.
const bool registered_at_load = [] {
  pthread_atfork(&prepare_all, &release_in_parent, &rebuild_in_child);
  return true;
}();

}  // namespace

void install_fork_handlers(ForkStage stage, ForkHandlers handlers) noexcept {
  (void)registered_at_load;
  Stage& slot = stages[static_cast<std::size_t>(stage)];
  if (slot.installed.load(std::memory_order_acquire)) return;
  slot.handlers = handlers;
  slot.installed.store(true, std::memory_order_release);
}

}  // namespace weft::detail
