# Installation and the exported CMake package `flowkit` (target flowkit::flowkit).
#
# `cmake --install <build> --prefix <p>` gives
#   <p>/include/flowkit/*.h                      public headers
#   <p>/lib/libflowkit.a (or .so)                the library
#   <p>/bin/flowkit                              the CLI (when FLOWKIT_BUILD_TOOLS)
#   <p>/lib/cmake/flowkit/flowkitConfig.cmake    + flowkitConfigVersion.cmake, flowkitTargets*.cmake
# A host then writes `find_package(flowkit REQUIRED)` and links `flowkit::flowkit`.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

option(FLOWKIT_INSTALL "Generate flowkit's install rules" ${PROJECT_IS_TOP_LEVEL})
if(NOT FLOWKIT_INSTALL)
  return()
endif()

set(FLOWKIT_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/flowkit"
    CACHE STRING "Where flowkitConfig.cmake is installed, relative to the prefix")

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/flowkit
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        COMPONENT flowkit_development
        FILES_MATCHING PATTERN "*.h")

install(TARGETS flowkit
        EXPORT flowkitTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT flowkit_development
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT flowkit_runtime
                NAMELINK_COMPONENT flowkit_development
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT flowkit_runtime
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

if(TARGET flowkit_cli)
  install(TARGETS flowkit_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT flowkit_runtime)
endif()
if(TARGET flowkitd)
  install(TARGETS flowkitd RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT flowkit_runtime)
endif()

install(EXPORT flowkitTargets
        NAMESPACE flowkit::
        DESTINATION ${FLOWKIT_INSTALL_CMAKEDIR}
        COMPONENT flowkit_development)

# The targets in the export set; each one's link interface is scanned below.
set(FLOWKIT_EXPORTED_TARGETS flowkit)

# flowkitConfig.cmake must re-find every imported target the exported link interface names.
# A static libflowkit.a lists its private dependencies there as $<LINK_ONLY:...> (the consumer's
# link line needs them); a shared one lists only its public ones. Each known kind of dependency
# maps to the call that re-creates its target; pkg-config ones re-run pkg_check_modules with the
# module recorded by flowkit_pkg_dependency() (FlowkitDependencies.cmake).
function(flowkit_config_dependencies out_var)
  set(code "")
  set(seen "")
  foreach(target IN LISTS FLOWKIT_EXPORTED_TARGETS)
    get_target_property(deps ${target} INTERFACE_LINK_LIBRARIES)
    if(NOT deps)
      continue()
    endif()
    foreach(dep IN LISTS deps)
      if(dep MATCHES "BUILD_INTERFACE")
        continue()  # build-tree only (e.g. header-only rapidjson), never in the export
      endif()
      string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" dep "${dep}")
      string(REGEX REPLACE "^\\$<INSTALL_INTERFACE:(.*)>$" "\\1" dep "${dep}")
      if(dep IN_LIST FLOWKIT_EXPORTED_TARGETS OR dep MATCHES "^flowkit::")
        continue()
      endif()
      if(dep MATCHES "^Threads::")
        set(call "find_dependency(Threads)")
      elseif(dep MATCHES "^fmt::")
        set(call "find_dependency(fmt ${fmt_VERSION_MAJOR} CONFIG)")
      elseif(dep MATCHES "^date::")
        set(call "find_dependency(date CONFIG)")
      elseif(dep MATCHES "^CURL::")
        set(call "find_dependency(CURL)")
      elseif(dep MATCHES "^SQLite::")
        set(call "find_dependency(SQLite3)")
      elseif(dep MATCHES "^PostgreSQL::")
        set(call "find_dependency(PostgreSQL)")
      elseif(dep MATCHES "^rabbitmq::")
        set(call "find_dependency(rabbitmq-c CONFIG)")
      elseif(dep MATCHES "^PkgConfig::(.+)$")
        set(prefix "${CMAKE_MATCH_1}")
        get_property(module GLOBAL PROPERTY FLOWKIT_PKG_MODULE_${prefix})
        if(NOT module)
          message(WARNING "flowkit install: ${dep} was not found with flowkit_pkg_dependency(); "
                          "the installed flowkitConfig.cmake cannot re-create it")
          continue()
        endif()
        set(call "_flowkit_pkg_dependency(${prefix} ${module})")
      elseif(dep MATCHES "::")
        message(WARNING "flowkit install: no rule to re-find ${dep} in flowkitConfig.cmake; "
                        "add one to cmake/FlowkitInstall.cmake")
        continue()
      else()
        continue()  # a plain system library name (-lm, dl, ...): nothing to find
      endif()
      if(NOT call IN_LIST seen)
        list(APPEND seen "${call}")
        string(APPEND code "${call}\n")
      endif()
    endforeach()
  endforeach()
  set(${out_var} "${code}" PARENT_SCOPE)
endfunction()
flowkit_config_dependencies(FLOWKIT_CONFIG_DEPENDENCIES)

configure_package_config_file(
  ${CMAKE_CURRENT_LIST_DIR}/flowkitConfig.cmake.in
  ${PROJECT_BINARY_DIR}/flowkitConfig.cmake
  INSTALL_DESTINATION ${FLOWKIT_INSTALL_CMAKEDIR}
  NO_SET_AND_CHECK_MACRO
  NO_CHECK_REQUIRED_COMPONENTS_MACRO)
# 0.x releases may break the API between minor versions; from 1.0 on, the major version rules.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(FLOWKIT_VERSION_COMPATIBILITY SameMinorVersion)
else()
  set(FLOWKIT_VERSION_COMPATIBILITY SameMajorVersion)
endif()
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/flowkitConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY ${FLOWKIT_VERSION_COMPATIBILITY})
install(FILES
          ${PROJECT_BINARY_DIR}/flowkitConfig.cmake
          ${PROJECT_BINARY_DIR}/flowkitConfigVersion.cmake
        DESTINATION ${FLOWKIT_INSTALL_CMAKEDIR}
        COMPONENT flowkit_development)
