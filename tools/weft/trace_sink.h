// The file `weft collect` appends to: one OTLP/JSON line per request, each written with a single
// write() under O_APPEND, so lines are whole even when other writers share the file.
#pragma once

#include <mutex>
#include <string>

namespace weft::cli {

class TraceSink {
 public:
  // Check ok() afterwards; error() says why the file could not be opened.
  explicit TraceSink(const std::string& path);
  ~TraceSink();
  TraceSink(const TraceSink&) = delete;
  TraceSink& operator=(const TraceSink&) = delete;

  bool ok() const { return fd_ >= 0; }
  const std::string& error() const { return error_; }
  // Appends `line` and a newline; false (and error() set) if the write failed.
  bool append_line(const std::string& line);
  // Makes what was written durable.
  void flush();
  // Flushes and closes the file between two lines; append_line() fails from then on. For a stop
  // that does not wait for the requests in progress: the file still ends with a whole line.
  void close();

 private:
  std::mutex mutex_;
  int fd_ = -1;
  std::string path_;
  std::string error_;
  std::string buffer_;
};

}  // namespace weft::cli
