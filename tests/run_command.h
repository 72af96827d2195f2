// Running a command line for end-to-end tests: its exit status and what it printed.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace weft::testing {

struct CommandOutput {
  int status = -1;  // the exit status; 128+N when killed by signal N, as a shell says it
  std::string output;
};

// Runs `command` through /bin/sh; `output` is its standard output (add 2>&1 for the errors).
inline CommandOutput run_command(const std::string& command) {
  CommandOutput result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  std::size_t read = 0;
  while ((read = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, read);
  const int status = pclose(pipe);
  if (WIFEXITED(status)) result.status = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.status = 128 + WTERMSIG(status);
  return result;
}

// The built `weft` program with `arguments` (a shell command line's worth).
inline CommandOutput run_weft(const std::string& arguments) {
  return run_command(std::string(WEFT_CLI_PATH) + " " + arguments);
}

}  // namespace weft::testing
