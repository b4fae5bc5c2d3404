# Warnings apply to our targets only (pkilab_warnings), never to third-party headers,
# which come in as SYSTEM includes through their imported targets.
add_library(pkilab_warnings INTERFACE)
target_compile_options(pkilab_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
  -Wimplicit-fallthrough -Wformat=2)
