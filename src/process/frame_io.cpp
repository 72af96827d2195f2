#include "process/frame_io.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace weft::detail {
namespace {

bool write_all(int fd, const char* data, std::size_t size) noexcept {
  while (size > 0) {
    const ssize_t written = ::send(fd, data, size, MSG_NOSIGNAL);
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += written;
    size -= static_cast<std::size_t>(written);
  }
  return true;
}

bool read_all(int fd, char* data, std::size_t size) noexcept {
  while (size > 0) {
    const ssize_t got = ::read(fd, data, size);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    data += got;
    size -= static_cast<std::size_t>(got);
  }
  return true;
}

}  // namespace

bool write_frame(int fd, const std::string& payload) noexcept {
  const std::uint64_t size = payload.size();
  return write_all(fd, reinterpret_cast<const char*>(&size), sizeof size) &&
         write_all(fd, payload.data(), payload.size());
}

bool read_frame(int fd, std::string& payload, std::uint64_t max_size) {
  std::uint64_t size = 0;
  if (!read_all(fd, reinterpret_cast<char*>(&size), sizeof size) || size > max_size) return false;
  payload.resize(size);
  return read_all(fd, payload.data(), size);
}

}  // namespace weft::detail
