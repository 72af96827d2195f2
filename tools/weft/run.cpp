// weft run [options] -- COMMAND [ARGS...]: runs a command as a child span of the context weft
// itself was given (TRACEPARENT...), hands the span's context to the command, and exits as the
// command did.
//
// The command is started as a shell would (a script without "#!" by /bin/sh), with the signal
// mask and dispositions weft was started with. A command that uses weft relays its spans to weft
// run, which exports them: also the open spans of a command that is killed.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>

#include "child_environment.h"
#include "process/relay_hub.h"
#include "process/relay_sender.h"
#include "process/signal_name.h"
#include "process/spawn_program.h"
#include "commands.h"
#include "weft/propagation.h"
#include "weft/provider.h"

extern char** environ;

namespace weft::cli {
namespace {

struct RunArguments {
  std::string name;  // default: the command's name
  std::vector<std::string> attributes;  // "key=value"
  std::string kind = "internal";
  std::vector<std::string> command;
};

constexpr int kForwardedSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

// weft run takes the forwarded signals and SIGCHLD synchronously (sigwaitinfo), not in a handler:
// they are blocked in every thread from the start (threads inherit the mask, so the exporter's
// thread never takes a SIGTERM meant for the command), and the previous mask comes back when done.
class BlockedSignals {
 public:
  BlockedSignals() {
    sigemptyset(&set_);
    for (const int signal_number : kForwardedSignals) sigaddset(&set_, signal_number);
    sigaddset(&set_, SIGCHLD);
    pthread_sigmask(SIG_BLOCK, &set_, &previous_);
  }
  ~BlockedSignals() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }
  BlockedSignals(const BlockedSignals&) = delete;
  BlockedSignals& operator=(const BlockedSignals&) = delete;

  const sigset_t& set() const { return set_; }
  const sigset_t& previous() const { return previous_; }

 private:
  sigset_t set_;
  sigset_t previous_;
};

bool variable_set(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && value[0] != '\0';
}

// Without an exporter named nor an OTLP endpoint given, weft run records nothing: a span made up
// here and exported nowhere would only leave the command's own spans with a missing parent.
bool exporter_configured() {
  return variable_set("OTEL_TRACES_EXPORTER") || variable_set("OTEL_EXPORTER_OTLP_ENDPOINT") ||
         variable_set("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
}

std::optional<SpanKind> parse_kind(const std::string& kind) {
  if (kind == "internal") return SpanKind::kInternal;
  if (kind == "client") return SpanKind::kClient;
  if (kind == "server") return SpanKind::kServer;
  if (kind == "producer") return SpanKind::kProducer;
  if (kind == "consumer") return SpanKind::kConsumer;
  return std::nullopt;
}

std::vector<char*> pointers_to(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& text : strings) pointers.push_back(text.data());
  pointers.push_back(nullptr);
  return pointers;
}

// Starts the command with the signal mask and dispositions weft itself was started with: weft
// installs no handler, so a signal it was started with ignored (SIGHUP under nohup, SIGINT and
// SIGQUIT for a background job of a script) stays ignored in the command, as exec would leave it.
// Returns 0 or an errno value.
int spawn_child(std::vector<std::string> arguments, std::vector<std::string> environment,
                int relay_fd, const BlockedSignals& signals, pid_t& child) {
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setsigmask(&attributes, &signals.previous());
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  // dup2 onto itself clears close-on-exec in the child only: the command's end of the relay.
  if (relay_fd >= 0) posix_spawn_file_actions_adddup2(&actions, relay_fd, relay_fd);
  std::vector<char*> argv = pointers_to(arguments);
  std::vector<char*> envp = pointers_to(environment);
  const int error =
      detail::spawn_program(&child, &actions, &attributes, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  return error;
}

// Waits for the child, passing on the forwarded signals sent to weft by another process (kill, a
// CI runner, systemd). One from the terminal (Ctrl-C, Ctrl-\, a hang-up) already reached the
// child, which is in the same foreground process group: sending it again could make the child see
// it twice. Returns the child's wait status, or -1.
int wait_forwarding_signals(pid_t child, const BlockedSignals& signals) {
  for (;;) {
    int status = 0;
    const pid_t done = waitpid(child, &status, WNOHANG);
    if (done == child) return status;
    if (done < 0 && errno != EINTR) return -1;
    siginfo_t info{};
    const int signal_number = sigwaitinfo(&signals.set(), &info);
    if (signal_number < 0 || signal_number == SIGCHLD) continue;
    const bool sent_by_a_process = info.si_code <= 0;  // SI_USER, SI_QUEUE, SI_TKILL
    if (sent_by_a_process) kill(child, signal_number);
  }
}

Attributes span_attributes(const RunArguments& arguments, std::string* error) {
  Attributes attributes;
  attributes.emplace_back("process.command", arguments.command[0]);
  attributes.emplace_back("process.command_args", arguments.command);
  for (const std::string& entry : arguments.attributes) {
    const std::size_t equals = entry.find('=');
    if (equals == std::string::npos || equals == 0) {
      *error = "--attribute expects KEY=VALUE, got \"" + entry + "\"";
      return {};
    }
    attributes.emplace_back(entry.substr(0, equals), entry.substr(equals + 1));
  }
  return attributes;
}

int run_command(const RunArguments& arguments) {
  const std::optional<SpanKind> kind = parse_kind(arguments.kind);
  if (!kind) {
    std::cerr << "weft run: --kind must be internal, client, server, producer or consumer\n";
    return 2;
  }
  std::string error;
  StartSpanOptions start;
  start.kind = *kind;
  start.attributes = span_attributes(arguments, &error);
  if (!error.empty()) {
    std::cerr << "weft run: " << error << '\n';
    return 2;
  }
  const BlockedSignals signals;  // before the exporter's thread starts
  const Context inherited = context_from_environment(environ);
  std::shared_ptr<TracerProvider> provider;
  Span span;
  Context child_context = inherited;
  if (exporter_configured()) {
    Options options;
    if (!variable_set("OTEL_SERVICE_NAME")) options.service_name = "weft-run";
    if (!variable_set("OTEL_TRACES_EXPORTER")) options.exporter = "otlp";  // only an endpoint set
    provider = TracerProvider::create(std::move(options));
    start.parent = inherited;
    const std::string& name = arguments.name.empty() ? arguments.command[0] : arguments.name;
    span = provider->tracer("weft.run", WEFT_VERSION).start_span(name, start);
    if (span.context().is_valid()) child_context = inherited.with_span(span.context());
  }

  // A command built with weft sends its spans here, over a relay, and they are exported with
  // this provider: also those of a command that is killed before it can flush.
  std::optional<detail::RelayEndpoints> relay;
  std::vector<std::string> environment = child_environment(environ, child_context);
  if (provider) {
    set_global_provider(provider);  // the relay hands received spans to the global provider
    relay = detail::open_relay_channel(nullptr);
    if (relay) {
      environment.push_back(detail::relay_environment_entry(relay->child_fd));
    }
  }
  const std::string traceparent = format_traceparent(child_context.span_context());
  pid_t child = 0;
  const int spawn_error =
      spawn_child(substitute_traceparent(arguments.command, traceparent), std::move(environment),
                  relay ? relay->child_fd : -1, signals, child);
  if (relay && spawn_error != 0) detail::abandon_relay_channel(relay->channel);
  if (relay && spawn_error == 0) detail::attach_relay_channel(relay->channel, child);
  int exit_code = 0;
  if (spawn_error != 0) {
    std::cerr << "weft run: cannot run " << arguments.command[0] << ": "
              << std::strerror(spawn_error) << '\n';
    exit_code = spawn_error == ENOENT ? 127 : 126;  // as a shell says "not found", "cannot run"
    span.set_status(StatusCode::kError, std::string("cannot run: ") + std::strerror(spawn_error));
  } else {
    span.set_attribute("weft.process.child_pid", static_cast<std::int64_t>(child));
    const int status = wait_forwarding_signals(child, signals);
    if (relay && status >= 0) detail::settle_relay_channel(relay->channel, status);
    if (status >= 0 && WIFSIGNALED(status)) {
      const std::string name = detail::signal_name(WTERMSIG(status));
      exit_code = 128 + WTERMSIG(status);
      span.set_attribute("weft.process.signal", name);
      span.set_status(StatusCode::kError, "killed by " + name);
    } else if (status >= 0 && WIFEXITED(status)) {
      exit_code = WEXITSTATUS(status);
      span.set_attribute("process.exit.code", static_cast<std::int64_t>(exit_code));
      if (exit_code != 0) span.set_status(StatusCode::kError, "exit code " + std::to_string(exit_code));
    } else {
      std::cerr << "weft run: lost track of the command: " << std::strerror(errno) << '\n';
      exit_code = 126;
      span.set_status(StatusCode::kError, "lost track of the command");
    }
  }
  span.end();
  if (provider && !provider->shutdown(std::chrono::seconds(10))) {
    std::cerr << "weft run: the span could not be exported in time\n";
  }
  return exit_code;
}

}  // namespace

std::vector<char*> separate_run_command(int argc, char** argv) {
  std::vector<char*> arguments(argv, argv + argc);
  if (argc < 2 || std::strcmp(argv[1], "run") != 0) return arguments;
  static char separator[] = "--";
  for (std::size_t i = 2; i < arguments.size(); ++i) {
    const std::string_view argument = arguments[i];
    if (argument == "--") break;
    if (argument == "-n" || argument == "--name" || argument == "-a" ||
        argument == "--attribute" || argument == "-k" || argument == "--kind") {
      ++i;  // and its value
      continue;
    }
    if (argument.size() > 1 && argument[0] == '-') continue;  // -nNAME, --name=NAME, --help
    arguments.insert(arguments.begin() + static_cast<std::ptrdiff_t>(i), separator);
    break;
  }
  return arguments;
}

void add_run_command(CLI::App& app, int& exit_code) {
  auto arguments = std::make_shared<RunArguments>();
  CLI::App* run = app.add_subcommand("run", "Run a command as a span, with its context handed on");
  run->footer(
      "Runs COMMAND as a child span of the context in TRACEPARENT/TRACESTATE/BAGGAGE (if any) and\n"
      "gives the command that span's context in the same variables, replacing inherited ones.\n"
      "\"{{traceparent}}\" in ARGS is replaced by it too. SIGINT, SIGTERM, SIGHUP and SIGQUIT\n"
      "sent to weft are passed on. weft exits with the command's exit code, or 128+N when signal\n"
      "N killed it. Everything from the first argument that is not one of weft run's options on\n"
      "is the command's (\"--\" before it is optional). A script without \"#!\" runs in /bin/sh.\n"
      "\n"
      "Configured by the OpenTelemetry variables (OTEL_TRACES_EXPORTER, OTEL_EXPORTER_OTLP_*,\n"
      "OTEL_SERVICE_NAME, WEFT_TRACES_FILE...). With neither an exporter nor an OTLP endpoint set,\n"
      "the command runs and nothing is recorded; an inherited context is passed on unchanged.");
  run->add_option("-n,--name", arguments->name, "Span name (default: the command)");
  run->add_option("-a,--attribute", arguments->attributes, "Span attribute KEY=VALUE (repeatable)")
      ->allow_extra_args(false);
  run->add_option("-k,--kind", arguments->kind,
                  "Span kind: internal, client, server, producer or consumer")
      ->capture_default_str();
  run->add_option("COMMAND", arguments->command, "The command and its arguments, after --")
      ->required();
  run->callback([arguments, &exit_code] { exit_code = run_command(*arguments); });
}

}  // namespace weft::cli
