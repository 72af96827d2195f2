// weft::spawn(): posix_spawn with the context in the environment and the span relay attached.
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "process/child_process_factory.h"
#include "process/relay_hub.h"
#include "process/relay_sender.h"
#include "process/spawn_program.h"
#include "weft/environment.h"
#include "weft/process.h"
#include "weft/provider.h"

namespace weft {
namespace {

// posix_spawn's file actions, released however spawn() leaves.
class FileActions {
 public:
  FileActions() { ok_ = posix_spawn_file_actions_init(&actions_) == 0; }
  ~FileActions() {
    if (ok_) posix_spawn_file_actions_destroy(&actions_);
  }
  FileActions(const FileActions&) = delete;
  FileActions& operator=(const FileActions&) = delete;
  bool ok() const noexcept { return ok_; }
  posix_spawn_file_actions_t* get() noexcept { return &actions_; }

  void use_null(int fd) {
    posix_spawn_file_actions_addopen(&actions_, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
  }

 private:
  posix_spawn_file_actions_t actions_{};
  bool ok_ = false;
};

std::string program_name(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

Span start_child_span(const SpawnOptions& options) {
  Tracer tracer = get_tracer("weft.process");
  StartSpanOptions span_options;
  span_options.attributes.emplace_back("process.command", options.argv[0]);
  span_options.attributes.emplace_back("process.command_args", options.argv);
  return tracer.start_span("spawn " + program_name(options.argv[0]), span_options);
}

}  // namespace

Spawned spawn(SpawnOptions options) {
  Spawned result;
  if (options.argv.empty() || options.argv[0].empty()) {
    result.error = "cannot start a process: no program given";
    result.error_number = EINVAL;
    return result;
  }
  Span span = options.record_span ? start_child_span(options) : Span();
  std::vector<std::string> environment =
      options.environment ? std::move(*options.environment) : current_environment();
  if (options.propagate_context) {
    const Context current = Context::current();
    inject_environment(span.context().is_valid() ? current.with_span(span.context()) : current,
                       environment);
  }

  FileActions actions;
  if (!actions.ok()) {
    result.error = "cannot start \"" + options.argv[0] + "\": out of memory";
    result.error_number = ENOMEM;
    return result;
  }
  if (options.stdin_mode == Stdio::kNull) actions.use_null(0);
  if (options.stdout_mode == Stdio::kNull) actions.use_null(1);
  if (options.stderr_mode == Stdio::kNull) actions.use_null(2);
  if (!options.working_directory.empty()) {
    posix_spawn_file_actions_addchdir_np(actions.get(), options.working_directory.c_str());
  }

  std::optional<detail::RelayEndpoints> relay;
  if (options.relay_spans && detail::processor_of(global_provider()) != nullptr) {
    relay = detail::open_relay_channel(nullptr);  // without one, the child exports on its own
  }
  EnvironmentCarrier carrier(environment);
  carrier.remove(detail::kRelayVariable);
  if (relay) {
    // dup2 onto itself clears close-on-exec in the child only.
    posix_spawn_file_actions_adddup2(actions.get(), relay->child_fd, relay->child_fd);
    environment.push_back(detail::relay_environment_entry(relay->child_fd));
  }

  std::vector<char*> argv;
  for (std::string& argument : options.argv) argv.push_back(argument.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (std::string& entry : environment) envp.push_back(entry.data());
  envp.push_back(nullptr);

  pid_t pid = 0;
  const int error = detail::spawn_program(&pid, actions.get(), nullptr, argv.data(), envp.data());
  if (error != 0) {
    if (relay) detail::abandon_relay_channel(relay->channel);
    result.error = "cannot start \"" + options.argv[0] + "\": " + std::strerror(error);
    // The child's chdir fails with the same errors as the exec: say so when the working
    // directory is what is missing or not a directory.
    if (!options.working_directory.empty()) {
      struct stat directory {};
      const int problem = ::stat(options.working_directory.c_str(), &directory) != 0 ? errno
                          : !S_ISDIR(directory.st_mode)                               ? ENOTDIR
                                                                                      : 0;
      if (problem != 0) {
        result.error = "cannot start \"" + options.argv[0] + "\": its working directory \"" +
                       options.working_directory + "\": " + std::strerror(problem);
      }
    }
    result.error_number = error;
    span.set_status(StatusCode::kError, result.error);
    return result;
  }
  if (relay) detail::attach_relay_channel(relay->channel, pid);
  span.set_attribute("process.pid", static_cast<std::int64_t>(pid));
  result.child = detail::ChildProcessFactory::make(pid, relay ? relay->channel : 0, std::move(span));
  return result;
}

}  // namespace weft
