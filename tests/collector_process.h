// Test support: `weft collect` run as a real child process on 127.0.0.1 and a free port, stopped
// with a real signal.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

extern char** environ;

namespace weft::testing {

class CollectorProcess {
 public:
  // Starts `weft collect --port 0 -o output extra...` and waits for the line saying its port.
  explicit CollectorProcess(const std::string& output, std::vector<std::string> extra = {}) {
    std::vector<std::string> arguments = {WEFT_CLI_PATH, "collect", "--port", "0", "-o", output};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& argument : arguments) argv.push_back(argument.data());
    argv.push_back(nullptr);
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
    posix_spawn_file_actions_addclose(&actions, pipe_fds[1]);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    close(pipe_fds[1]);
    output_ = fdopen(pipe_fds[0], "r");
    char line[512];
    if (pid_ > 0 && output_ != nullptr && std::fgets(line, sizeof line, output_) != nullptr) {
      const std::string text(line);
      const auto colon = text.find("127.0.0.1:");
      if (colon != std::string::npos) port_ = std::atoi(text.c_str() + colon + 10);
    }
  }

  ~CollectorProcess() {
    if (pid_ > 0) stop(SIGKILL);
    if (output_ != nullptr) std::fclose(output_);
  }

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string traces_url() const { return base_url() + "/v1/traces"; }

  // Sends `signal` and returns the exit status (-1 if it did not exit normally); the rest of its
  // standard output is kept in `final_output`.
  int stop(int signal = SIGTERM) {
    if (pid_ <= 0) return -1;
    kill(pid_, signal);
    if (output_ != nullptr) {
      char buffer[512];
      while (std::fgets(buffer, sizeof buffer, output_) != nullptr) final_output += buffer;
    }
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::string final_output;

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  FILE* output_ = nullptr;
};

}  // namespace weft::testing
