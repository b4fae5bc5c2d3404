#pragma once
// Reloading a running lab's policy plugins (SIGHUP to `pkilab serve`, `pkilab plugins reload`):
// the plugins section of the lab file in force, swapped in by PolicyHost::reload.
#include <string>

#include "ca/authority/lab.hpp"

namespace pkilab::web {

struct ReloadOutcome {
    bool ok = false;
    std::string message;  // one line: what is loaded now, or why the old plugins stay
};

// Re-reads STATE/lab.yaml and loads its `plugins` section in place of the current one. The
// policy chains stay those the lab was opened with (a restart applies changed chains), so every
// instance a CA's or template's chain names must still be loaded by the new section; if one is
// not, or the file or a plugin cannot be read, nothing changes. Never throws.
ReloadOutcome reload_policy_plugins(Lab& lab);

}  // namespace pkilab::web
