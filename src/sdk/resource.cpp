// The resource weft detects on its own: the SDK, the process and the host.
#include "weft/resource.h"

#include <limits.h>
#include <unistd.h>

#include <fstream>
#include <iterator>

namespace weft {
namespace {

std::string executable_path() {
  char path[PATH_MAX];
  const ssize_t length = readlink("/proc/self/exe", path, sizeof path - 1);
  if (length <= 0) return {};
  return std::string(path, static_cast<std::size_t>(length));
}

std::string base_name(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::vector<std::string> command_args() {
  std::ifstream file("/proc/self/cmdline", std::ios::binary);
  const std::string all((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  std::vector<std::string> args;
  std::size_t start = 0;
  while (start < all.size()) {
    std::size_t end = all.find('\0', start);
    if (end == std::string::npos) end = all.size();
    args.push_back(all.substr(start, end - start));
    start = end + 1;
  }
  return args;
}

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return {};
  return name;
}

}  // namespace

Resource::Resource(Attributes attributes, std::string schema_url)
    : attributes_(std::move(attributes)), schema_url_(std::move(schema_url)) {}

Resource Resource::merge(const Resource& updates) const {
  Attributes merged = attributes_;
  for (const KeyValue& update : updates.attributes_) {
    bool replaced = false;
    for (KeyValue& existing : merged) {
      if (existing.key == update.key) {
        existing.value = update.value;
        replaced = true;
      }
    }
    if (!replaced) merged.push_back(update);
  }
  return Resource(std::move(merged),
                  updates.schema_url_.empty() ? schema_url_ : updates.schema_url_);
}

Resource Resource::detect() {
  const std::string executable = executable_path();
  Attributes attributes{
      {"service.name", "unknown_service:" + base_name(executable)},
      {"telemetry.sdk.name", "weft"},
      {"telemetry.sdk.language", "cpp"},
      {"telemetry.sdk.version", WEFT_VERSION},
      {"process.pid", static_cast<std::int64_t>(getpid())},
      {"process.parent_pid", static_cast<std::int64_t>(getppid())},
      {"process.executable.name", base_name(executable)},
      {"process.executable.path", executable},
      {"process.command_args", command_args()},
  };
  const std::string host = host_name();
  if (!host.empty()) attributes.emplace_back("host.name", host);
  return Resource(std::move(attributes));
}

}  // namespace weft
