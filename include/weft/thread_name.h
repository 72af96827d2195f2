// Naming threads: the name lands in the thread.name attribute of every span the thread starts
// from then on (and, cut to 15 characters, in the operating system's thread name).
#pragma once

#include <string_view>

namespace weft {

void set_thread_name(std::string_view name);

}  // namespace weft
