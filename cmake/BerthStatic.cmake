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
find_library(BERTH_BOOST_JSON_STATIC libboost_json.a)
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
endfunction()
