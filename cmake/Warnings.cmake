# Warnings apply to our targets only (pkilab_warnings), never to third-party headers,
# which come in as SYSTEM includes through their imported targets.
add_library(pkilab_warnings INTERFACE)
target_compile_options(pkilab_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
  -Wimplicit-fallthrough -Wformat=2)
# GCC 12 reports -Wrestrict inside libstdc++ for `"literal" + std::string(...)` at -O2 (a false
# positive: GCC PR 105329, fixed in GCC 13). Silence exactly that warning on exactly that compiler.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12 AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(pkilab_warnings INTERFACE -Wno-restrict)
endif()
