#pragma once
// What the kernel knows of a process the bench runs or is: CPU time and peak memory, from
// /proc, so that a figure for a server can be split into the server's and the clients' share.
#include <sys/types.h>

namespace pkilab::bench {

// User + system CPU seconds of `pid` so far (its threads included); -1 when it cannot be read.
double process_cpu_seconds(pid_t pid);
// User + system CPU seconds of this process so far.
double own_cpu_seconds();
// VmHWM of `pid` in MiB (its peak resident set); -1 when it cannot be read.
double peak_memory_mib(pid_t pid);

}  // namespace pkilab::bench
