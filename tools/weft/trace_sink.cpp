#include "trace_sink.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>

namespace weft::cli {

TraceSink::TraceSink(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) error_ = "cannot open " + path + ": " + std::strerror(errno);
}

TraceSink::~TraceSink() { close(); }

bool TraceSink::append_line(const std::string& line) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (fd_ < 0) {
    error_ = "cannot write to " + path_ + ": the file is closed (weft collect is stopping)";
    return false;
  }
  buffer_.assign(line);
  buffer_.push_back('\n');
  std::size_t written = 0;
  while (written < buffer_.size()) {
    const ssize_t result = ::write(fd_, buffer_.data() + written, buffer_.size() - written);
    if (result < 0 && errno == EINTR) continue;
    if (result <= 0) {
      error_ = "cannot write to " + path_ + ": " + std::strerror(errno);
      // A torn line would spoil the file for readers: cut it back to its last whole line.
      if (written > 0) {
        const off_t end = ::lseek(fd_, 0, SEEK_END);
        if (end >= static_cast<off_t>(written)) {
          (void)::ftruncate(fd_, end - static_cast<off_t>(written));
        }
      }
      return false;
    }
    written += static_cast<std::size_t>(result);
  }
  return true;
}

void TraceSink::flush() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (fd_ >= 0) (void)::fdatasync(fd_);
}

void TraceSink::close() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (fd_ < 0) return;
  (void)::fdatasync(fd_);
  ::close(fd_);
  fd_ = -1;
}

}  // namespace weft::cli
