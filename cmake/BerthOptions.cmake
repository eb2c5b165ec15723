# Warnings, sanitizers and version information shared by every target.

# ccache when present: worktrees and clean clones rebuild only what changed.
# Paths below the source dir are hashed relative to it (and the cwd is not
# hashed), so a copy of the tree at another path hits the same cache.
find_program(BERTH_CCACHE ccache)
if(BERTH_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${CMAKE_COMMAND} -E env
    CCACHE_BASEDIR=${CMAKE_SOURCE_DIR} CCACHE_NOHASHDIR=1 ${BERTH_CCACHE})
  set(CMAKE_C_COMPILER_LAUNCHER ${CMAKE_CXX_COMPILER_LAUNCHER})
endif()
add_library(berth_options INTERFACE)
# TRY() uses GNU statement expressions (as SerenityOS does); both g++ and
# clang support them, so -Wpedantic is not used.
target_compile_options(berth_options INTERFACE -Wall -Wextra)
# Release builds: one section per function, so the static programs can be
# linked with their hot code together (BerthStatic.cmake). Test builds keep
# their flags (and their compiler cache).
target_compile_options(berth_options INTERFACE $<$<CONFIG:Release>:-ffunction-sections>)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # g++ 12 at -O2/-O3 reports -Wrestrict inside libstdc++'s own string
  # concatenation (GCC bug 105651); the warning is wrong there, and with
  # -Werror it breaks release builds of correct code.
  target_compile_options(berth_options INTERFACE -Wno-restrict)
endif()
if(BERTH_WERROR)
  target_compile_options(berth_options INTERFACE -Werror)
endif()
target_compile_definitions(berth_options INTERFACE _GNU_SOURCE
  BERTH_VERSION="${PROJECT_VERSION}")
if(BERTH_SANITIZE)
  target_compile_options(berth_options INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(berth_options INTERFACE -fsanitize=address,undefined)
endif()
if(BERTH_FUZZ)
  # Coverage instrumentation for everything; the fuzz drivers add the
  # libFuzzer main themselves.
  target_compile_options(berth_options INTERFACE
    -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  target_link_options(berth_options INTERFACE -fsanitize=address,undefined)
endif()

execute_process(COMMAND git rev-parse --short=12 HEAD
  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
  OUTPUT_VARIABLE BERTH_GIT_COMMIT OUTPUT_STRIP_TRAILING_WHITESPACE
  ERROR_QUIET)
if(NOT BERTH_GIT_COMMIT)
  set(BERTH_GIT_COMMIT "unknown")
endif()
# The commit goes into one generated source (base/version.hpp), not a
# compile definition: a definition that changes with every commit would
# rebuild the whole tree at every configure.
# /version's BuildTime; string(TIMESTAMP) honours SOURCE_DATE_EPOCH.
string(TIMESTAMP BERTH_BUILD_TIME "%Y-%m-%dT%H:%M:%S.000000000+00:00" UTC)
configure_file(${CMAKE_SOURCE_DIR}/src/base/version_commit.cpp.in
  ${CMAKE_BINARY_DIR}/generated/version_commit.cpp @ONLY)
