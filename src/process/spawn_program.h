// posix_spawnp as a shell would run a program: a file that is executable but has no "#!" line
// (ENOEXEC) is run by /bin/sh, as execvp() and every POSIX shell do. posix_spawnp itself stopped
// doing that in glibc 2.15, so "weft run -- ./script" failed where "sh -c ./script" worked.
#pragma once

#include <spawn.h>
#include <sys/types.h>

namespace weft::detail {

// posix_spawnp's arguments and result (0, or an errno value). `argv` ends with a null pointer.
int spawn_program(pid_t* pid, const posix_spawn_file_actions_t* actions,
                  const posix_spawnattr_t* attributes, char* const argv[], char* const envp[]);

}  // namespace weft::detail
