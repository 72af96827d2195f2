#include "weft/thread_name.h"

#include "runtime/thread_state.h"

namespace weft {

void set_thread_name(std::string_view name) { detail::set_current_thread_name(name); }

}  // namespace weft
