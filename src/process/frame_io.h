// Length-prefixed frames over a stream socket, for the process pool's task and result messages.
#pragma once

#include <cstdint>
#include <string>

namespace weft::detail {

// Blocking; false when the peer is gone or the descriptor fails.
bool write_frame(int fd, const std::string& payload) noexcept;
// Blocking; false at end of file (also mid-frame) or on an error. Frames above `max_size` fail.
bool read_frame(int fd, std::string& payload, std::uint64_t max_size = std::uint64_t{1} << 34);

}  // namespace weft::detail
