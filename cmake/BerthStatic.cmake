# berth_static_program(<target> LIBRARIES <berth library targets...>)
#
# Links a program fully statically (libc included) from the archives of
# the given berth libraries plus the static archives of their external
# dependencies. berth-runtime and berth-monitor are started once per
# container operation (dockerd and containerd run the runtime per call,
# berthd spawns a monitor per start), and with a dynamic libc about a
# quarter of `berth-runtime run`'s 22 ms went to ld.so: mapping libc,
# relocating, and resolving lazy symbols again in every forked child
# (perf, docs/PERFORMANCE.md). The libraries are linked as archives, not
# as targets, so their shared-library usage requirements do not come
# along. Sanitizer and fuzz builds, or a system without the static
# archives, link the ordinary shared way instead.
#
# In release builds, where cmake/layout/<target>.order exists and lld is
# installed, the program is linked by lld with its functions in that
# order: the code one container operation runs, in the order it first runs
# (recorded by bench/layout/make_order.py). On this VM a page touched for the first
# time in a process costs 4-20 us, and the init, a forked copy, touches
# its pages again; packing the hot code cut `run`'s page faults from 192
# to 158 and its time by about 5% (docs/PERFORMANCE.md). Symbols the file
# names that a build lacks (another compiler inlines differently) are
# skipped.
find_library(BERTH_BOOST_JSON_STATIC libboost_json.a)
find_program(BERTH_LLD ld.lld)
find_library(BERTH_BOOST_CONTAINER_STATIC libboost_container.a)
find_library(BERTH_LIBCAP_STATIC libcap.a)
find_library(BERTH_LIBSECCOMP_STATIC libseccomp.a)

function(berth_static_program target)
  cmake_parse_arguments(ARG "" "" "LIBRARIES" ${ARGN})
  if(NOT (BERTH_BOOST_JSON_STATIC AND BERTH_BOOST_CONTAINER_STATIC AND BERTH_LIBCAP_STATIC
          AND BERTH_LIBSECCOMP_STATIC) OR BERTH_SANITIZE OR BERTH_FUZZ)
    foreach(lib IN LISTS ARG_LIBRARIES)
      string(REPLACE "berth_" "berth::" alias ${lib})
      target_link_libraries(${target} PRIVATE ${alias})
    endforeach()
    return()
  endif()
  add_dependencies(${target} ${ARG_LIBRARIES})
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/src
    $<TARGET_PROPERTY:tl::expected,INTERFACE_INCLUDE_DIRECTORIES>)
  foreach(lib IN LISTS ARG_LIBRARIES)
    target_link_libraries(${target} PRIVATE $<TARGET_FILE:${lib}>)
  endforeach()
  target_link_libraries(${target} PRIVATE
    ${BERTH_BOOST_JSON_STATIC} ${BERTH_BOOST_CONTAINER_STATIC}
    ${BERTH_LIBCAP_STATIC} ${BERTH_LIBSECCOMP_STATIC})
  target_link_options(${target} PRIVATE -static)
  set(order ${PROJECT_SOURCE_DIR}/cmake/layout/${target}.order)
  if(BERTH_LLD AND EXISTS ${order} AND CMAKE_BUILD_TYPE STREQUAL "Release")
    target_link_options(${target} PRIVATE -fuse-ld=lld
      "LINKER:--symbol-ordering-file=${order}" "LINKER:--no-warn-symbol-ordering")
    set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${order})
  endif()
endfunction()
