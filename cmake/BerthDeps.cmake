# Every third-party dependency, found once, as imported targets. Libraries
# link only the ones they use. scripts/install-deps.sh installs the Debian
# packages that provide them.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)

find_package(tl-expected REQUIRED)
# Debian 12 ships Boost 1.74 as the default and 1.81 beside it; berth needs
# 1.81 (Boost.URL, newer Beast/JSON).
find_package(Boost 1.81.0 EXACT REQUIRED CONFIG COMPONENTS json url)
find_package(fmt REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(CURL REQUIRED)
find_package(SQLite3 REQUIRED)

pkg_check_modules(LIBSECCOMP REQUIRED IMPORTED_TARGET libseccomp)
pkg_check_modules(LIBCAP REQUIRED IMPORTED_TARGET libcap)
pkg_check_modules(LIBARCHIVE REQUIRED IMPORTED_TARGET libarchive)
pkg_check_modules(LIBZSTD REQUIRED IMPORTED_TARGET libzstd)
# ISA-L's igzip: gzip inflate several times faster than zlib for layer apply.
pkg_check_modules(LIBISAL REQUIRED IMPORTED_TARGET libisal)
pkg_check_modules(LIBMNL REQUIRED IMPORTED_TARGET libmnl)
pkg_check_modules(LIBNL REQUIRED IMPORTED_TARGET libnl-3.0 libnl-route-3.0)
pkg_check_modules(LIBNFTABLES REQUIRED IMPORTED_TARGET libnftables)
pkg_check_modules(TOMLPP REQUIRED IMPORTED_TARGET tomlplusplus)
pkg_check_modules(YAMLCPP REQUIRED IMPORTED_TARGET yaml-cpp)
find_path(CLI11_INCLUDE_DIR CLI/CLI.hpp REQUIRED)

if(BERTH_TESTS)
  find_package(GTest REQUIRED)
  include(GoogleTest)
endif()
if(BERTH_BENCH)
  find_package(benchmark REQUIRED)
endif()
