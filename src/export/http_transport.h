// HTTP behind a small interface, so the OTLP exporter's retry rules can be tested exactly with a
// scripted transport, and run for real over libcurl.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace weft::detail {

struct HttpRequest {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  const std::string* body = nullptr;  // borrowed for the call
  std::string certificate_file;
  std::string client_certificate_file;
  std::string client_key_file;
};

struct HttpResponse {
  // 0 when no response arrived (connection refused, timed out, cancelled); `error` says why.
  long status = 0;
  std::string body;  // the first kMaxResponseBody bytes
  std::optional<std::string> retry_after;
  std::string error;

  static constexpr std::size_t kMaxResponseBody = 64 * 1024;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Posts and waits at most `timeout`; returns early with status 0 once `cancel` becomes true.
  virtual HttpResponse post(const HttpRequest& request, std::chrono::milliseconds timeout,
                            const std::atomic<bool>& cancel) noexcept = 0;
};

// Returns nullptr (and sets `error`) if libcurl cannot be initialised.
std::unique_ptr<HttpTransport> make_curl_transport(std::string* error = nullptr);

}  // namespace weft::detail
