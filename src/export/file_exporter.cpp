// The OTLP/JSON lines file exporter: each export call appends one ExportTraceServiceRequest as one
// line, written with a single write() so that a line is never torn, even when several processes
// append to the same file (O_APPEND).
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>

#include "diagnostics/log.h"
#include "export/otlp_json.h"
#include "weft/exporter.h"

namespace weft {
namespace {

class FileExporter final : public SpanExporter {
 public:
  FileExporter(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~FileExporter() override { close_file(); }

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
  bool write_all(const std::string& data) noexcept {
    std::size_t written = 0;
    while (written < data.size()) {
      const ssize_t result = ::write(fd_, data.data() + written, data.size() - written);
      if (result < 0 && errno == EINTR) continue;
      if (result <= 0) {
        detail::log_error("file exporter: cannot write to " + path_ + ": " +
                          std::strerror(errno));
        return false;
      }
      written += static_cast<std::size_t>(result);
    }
    return true;
  }

  void close_file() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  int fd_;
  std::string path_;
  std::string line_;  // reused: its capacity survives between exports
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
