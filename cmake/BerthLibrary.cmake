# berth_library(<name> DEPS ... [PRIVATE_DEPS ...])
# One static library per folder under src/, built from every .cpp in that
# folder and its subfolders. DEPS are lower berth layers (berth::base, ...)
# and imported targets; the link graph is the architecture, so a higher
# layer can never be reached from a lower one.
function(berth_library name)
  cmake_parse_arguments(ARG "" "" "DEPS;PRIVATE_DEPS" ${ARGN})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  add_library(berth_${name} STATIC ${sources})
  add_library(berth::${name} ALIAS berth_${name})
  target_include_directories(berth_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(berth_${name} PUBLIC berth_options ${ARG_DEPS}
    PRIVATE ${ARG_PRIVATE_DEPS})
  set_property(GLOBAL APPEND PROPERTY BERTH_LIBRARIES berth_${name})
endfunction()

# berth_unit_test(<name> DEPS ... [LABELS ...])
# A GoogleTest binary from every .cpp in the calling folder, registered with
# CTest. Label "unit" by default; root-only suites use "integration" and
# skip themselves (GTEST_SKIP) when not run as root.
function(berth_unit_test name)
  cmake_parse_arguments(ARG "" "" "DEPS;LABELS" ${ARGN})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  add_executable(${name} ${sources})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(${name} PRIVATE berth_options ${ARG_DEPS}
    GTest::gtest GTest::gmock GTest::gtest_main)
  set(labels unit)
  if(ARG_LABELS)
    set(labels ${ARG_LABELS})
  endif()
  # A hung test fails after 5 minutes instead of eating CI's whole budget.
  gtest_discover_tests(${name} PROPERTIES LABELS "${labels}" TIMEOUT 300
    DISCOVERY_TIMEOUT 60)
endfunction()

# Adds every immediate subfolder of the calling folder that has a
# CMakeLists.txt, so parallel work on different folders never edits a
# shared list.
macro(berth_add_subfolders)
  file(GLOB children RELATIVE ${CMAKE_CURRENT_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR}/*)
  list(SORT children)
  foreach(child ${children})
    if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${child}/CMakeLists.txt)
      add_subdirectory(${child})
    endif()
  endforeach()
endmacro()
