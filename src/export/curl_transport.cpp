// HttpTransport over one libcurl easy handle: the handle is reused so that the connection to the
// collector is kept alive between exports. Only the export thread uses it.
#include <curl/curl.h>
#include <unistd.h>

#include <cctype>
#include <mutex>
#include <string_view>

#include "export/http_transport.h"
#include "runtime/ascii_case.h"

namespace weft::detail {
namespace {

// curl_global_init is not safe to run concurrently with other libcurl use; do it once.
bool initialise_curl_once() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] { ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; });
  return ok;
}

// libcurl's callbacks are called from C: nothing may be thrown through them. Returning less than
// `bytes` makes libcurl abort the transfer, which is what running out of memory should do.
std::size_t collect_body(char* data, std::size_t size, std::size_t count, void* user) noexcept {
  auto* response = static_cast<HttpResponse*>(user);
  const std::size_t bytes = size * count;
  const std::size_t room = HttpResponse::kMaxResponseBody - response->body.size();
  try {
    response->body.append(data, bytes < room ? bytes : room);
  } catch (...) {
    return 0;
  }
  return bytes;
}

std::size_t collect_header(char* data, std::size_t size, std::size_t count, void* user) noexcept {
  auto* response = static_cast<HttpResponse*>(user);
  const std::size_t bytes = size * count;
  constexpr std::string_view kRetryAfter = "retry-after:";
  std::string_view line(data, bytes);
  if (starts_with_ignoring_case(line, kRetryAfter)) {
    line.remove_prefix(kRetryAfter.size());
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) {
      line.remove_suffix(1);
    }
    try {
      response->retry_after = std::string(line);
    } catch (...) {
      return 0;
    }
  }
  return bytes;
}

// Called by libcurl about once a second and on progress: aborts the transfer on cancel.
int check_cancel(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::atomic<bool>*>(user)->load(std::memory_order_relaxed) ? 1 : 0;
}

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(CURL* handle) : handle_(handle), owner_pid_(getpid()) {}
  ~CurlTransport() override {
    if (handle_ != nullptr) curl_easy_cleanup(handle_);
  }

  HttpResponse post(const HttpRequest& request, std::chrono::milliseconds timeout,
                    const std::atomic<bool>& cancel) noexcept override {
    HttpResponse response;
    try {
      response = perform(request, timeout, cancel);
    } catch (...) {
      response.status = 0;
      response.error = "out of memory";
    }
    return response;
  }

 private:
  HttpResponse perform(const HttpRequest& request, std::chrono::milliseconds timeout,
                       const std::atomic<bool>& cancel) {
    HttpResponse response;
    if (!handle_for_this_process()) {
      response.error = "libcurl could not be initialised";
      return response;
    }
    curl_slist* headers = nullptr;
    for (const auto& [name, value] : request.headers) {
      headers = curl_slist_append(headers, (name + ": " + value).c_str());
    }
    // Without this, libcurl waits for "100 Continue" before sending a large body.
    headers = curl_slist_append(headers, "Expect:");

    curl_easy_reset(handle_);
    curl_easy_setopt(handle_, CURLOPT_NOSIGNAL, 1L);  // never raise SIGALRM/SIGPIPE in the app
    curl_easy_setopt(handle_, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(handle_, CURLOPT_POST, 1L);
    curl_easy_setopt(handle_, CURLOPT_POSTFIELDS, request.body->data());
    curl_easy_setopt(handle_, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body->size()));
    curl_easy_setopt(handle_, CURLOPT_HTTPHEADER, headers);
    const long milliseconds = timeout.count() > 0 ? static_cast<long>(timeout.count()) : 1L;
    curl_easy_setopt(handle_, CURLOPT_TIMEOUT_MS, milliseconds);
    curl_easy_setopt(handle_, CURLOPT_CONNECTTIMEOUT_MS, milliseconds);
    curl_easy_setopt(handle_, CURLOPT_WRITEFUNCTION, collect_body);
    curl_easy_setopt(handle_, CURLOPT_WRITEDATA, &response);
    curl_easy_setopt(handle_, CURLOPT_HEADERFUNCTION, collect_header);
    curl_easy_setopt(handle_, CURLOPT_HEADERDATA, &response);
    curl_easy_setopt(handle_, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(handle_, CURLOPT_XFERINFOFUNCTION, check_cancel);
    curl_easy_setopt(handle_, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(&cancel));
    if (!request.certificate_file.empty()) {
      curl_easy_setopt(handle_, CURLOPT_CAINFO, request.certificate_file.c_str());
    }
    if (!request.client_certificate_file.empty()) {
      curl_easy_setopt(handle_, CURLOPT_SSLCERT, request.client_certificate_file.c_str());
    }
    if (!request.client_key_file.empty()) {
      curl_easy_setopt(handle_, CURLOPT_SSLKEY, request.client_key_file.c_str());
    }

    const CURLcode result = curl_easy_perform(handle_);
    curl_slist_free_all(headers);
    if (result != CURLE_OK) {
      response.status = 0;
      response.error = curl_easy_strerror(result);
      return response;
    }
    curl_easy_getinfo(handle_, CURLINFO_RESPONSE_CODE, &response.status);
    return response;
  }

  // A fork()ed child must not talk over the parent's kept-alive connection: the two would
  // interleave their requests on one socket. The child gets a handle of its own.
  bool handle_for_this_process() {
    const pid_t pid = getpid();
    if (pid != owner_pid_) {
      owner_pid_ = pid;
      // Leaked, not cleaned up: cleanup would act on the connection the parent still uses.
      handle_ = curl_easy_init();
    }
    return handle_ != nullptr;
  }

  CURL* handle_;
  pid_t owner_pid_;
};

}  // namespace

std::unique_ptr<HttpTransport> make_curl_transport(std::string* error) {
  CURL* handle = initialise_curl_once() ? curl_easy_init() : nullptr;
  if (handle == nullptr) {
    if (error != nullptr) *error = "libcurl could not be initialised";
    return nullptr;
  }
  return std::make_unique<CurlTransport>(handle);
}

}  // namespace weft::detail
