// "SIGKILL" for 9: how weft names signals in attributes and messages.
#pragma once

#include <string.h>

#include <string>

namespace weft::detail {

inline std::string signal_name(int signal_number) {
  const char* abbreviation = sigabbrev_np(signal_number);
  return abbreviation != nullptr ? std::string("SIG") + abbreviation
                                 : "signal " + std::to_string(signal_number);
}

}  // namespace weft::detail
