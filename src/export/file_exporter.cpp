// The OTLP/JSON lines file exporter: each export call appends one ExportTraceServiceRequest as one
// line, written with a single write() so that a line is never torn, even when several processes
// append to the same file (O_APPEND).
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "diagnostics/log.h"
#include "export/fresh_in_child.h"
#include "export/otlp_json.h"
#include "weft/exporter.h"

namespace weft {
namespace {

class FileExporter final : public SpanExporter, public detail::FreshInChild {
 public:
  FileExporter(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~FileExporter() override { close_file(); }

  // The same file, opened again: this one's line may be half built in the parent's export.
  std::unique_ptr<SpanExporter> make_for_child() const override {
    return make_file_exporter(path_);
  }

  ExportResult export_spans(const std::vector<const SpanData*>& spans) noexcept override {
    if (fd_ < 0) return ExportResult::kFailure;
    try {
      line_.clear();
      detail::append_otlp_json_request(line_, spans);
      line_.push_back('\n');
    } catch (...) {
      return ExportResult::kFailure;
    }
    return write_all(line_) ? ExportResult::kSuccess : ExportResult::kFailure;
  }

  bool force_flush(std::chrono::milliseconds) noexcept override {
    return fd_ < 0 || fdatasync(fd_) == 0 || errno == EINVAL;
  }

  bool shutdown(std::chrono::milliseconds) noexcept override {
    close_file();
    return true;
  }

 private:
  // A disk that fills up half-way through a line must not leave a torn line in front of the
  // next one: the part that was written is cut off again when this process was the file's last
  // writer, and otherwise closed with a newline before the next line (the fragment is then one
  // malformed line that readers skip, and every whole line around it stays readable).
  bool write_all(const std::string& data) noexcept {
    if (torn_ && write_fully("\n", 1) != 1) return false;
    torn_ = false;
    const std::size_t written = write_fully(data.data(), data.size());
    if (written == data.size()) return true;
    const int error = errno;
    if (written > 0 && !cut_off_last(written)) torn_ = true;
    detail::log_error("file exporter: cannot write to " + path_ + ": " + std::strerror(error));
    return false;
  }

  // How many bytes of `data` reached the file before an error (errno says which).
  std::size_t write_fully(const char* data, std::size_t size) noexcept {
    std::size_t written = 0;
    while (written < size) {
      const ssize_t result = ::write(fd_, data + written, size - written);
      if (result < 0 && errno == EINTR) continue;
      if (result <= 0) {
        if (result == 0) errno = ENOSPC;
        break;
      }
      written += static_cast<std::size_t>(result);
    }
    return written;
  }

  // Removes the last `length` bytes this process wrote, if nobody appended after them.
  bool cut_off_last(std::size_t length) noexcept {
    const off_t our_end = ::lseek(fd_, 0, SEEK_CUR);
    struct stat status {};
    if (our_end < 0 || ::fstat(fd_, &status) != 0 || status.st_size != our_end) return false;
    return ::ftruncate(fd_, our_end - static_cast<off_t>(length)) == 0;
  }

  void close_file() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  int fd_;
  std::string path_;
  std::string line_;   // reused: its capacity survives between exports
  bool torn_ = false;  // the last line could not be completed nor removed
};

}  // namespace

std::unique_ptr<SpanExporter> make_file_exporter(const std::string& path, std::string* error) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (error != nullptr) *error = "cannot open " + path + ": " + std::strerror(errno);
    return nullptr;
  }
  return std::make_unique<FileExporter>(fd, path);
}

}  // namespace weft
