#include "process/spawn_program.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace weft::detail {
namespace {

// The file posix_spawnp ran for `name`: `name` itself when it has a '/', else the first
// executable regular file of that name in this process's PATH (where posix_spawnp looked; a
// relative entry is taken from this process's directory, before any chdir of the child).
std::string path_searched_for(const char* name) {
  const std::string_view file(name);
  if (file.find('/') != std::string_view::npos) return std::string(file);
  const char* path = std::getenv("PATH");
  std::string_view directories = path != nullptr ? path : "/bin:/usr/bin";
  while (true) {
    const std::size_t colon = directories.find(':');
    std::string candidate(directories.substr(0, colon));
    if (candidate.empty()) candidate = ".";  // an empty entry is the current directory
    candidate += '/';
    candidate += file;
    struct stat status {};
    // A directory is "executable" to access(); posix_spawnp skips it and searches on.
    if (access(candidate.c_str(), X_OK) == 0 && stat(candidate.c_str(), &status) == 0 &&
        S_ISREG(status.st_mode)) {
      return candidate;
    }
    if (colon == std::string_view::npos) return {};
    directories.remove_prefix(colon + 1);
  }
}

}  // namespace

int spawn_program(pid_t* pid, const posix_spawn_file_actions_t* actions,
                  const posix_spawnattr_t* attributes, char* const argv[], char* const envp[]) {
  const int error = posix_spawnp(pid, argv[0], actions, attributes, argv, envp);
  if (error != ENOEXEC) return error;
  try {
    std::string script = path_searched_for(argv[0]);
    if (script.empty()) return error;
    static char shell_name[] = "sh";
    std::vector<char*> shell_argv{shell_name, script.data()};
    for (char* const* argument = argv + 1; *argument != nullptr; ++argument) {
      shell_argv.push_back(*argument);
    }
    shell_argv.push_back(nullptr);
    return posix_spawn(pid, "/bin/sh", actions, attributes, shell_argv.data(), envp);
  } catch (...) {
    return error;
  }
}

}  // namespace weft::detail
