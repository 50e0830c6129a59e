# Every dependency comes from a Debian package (scripts/install-deps.sh installs them).
# Discovery follows what each package ships: CMake config, CMake module, or pkg-config.
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(fmt 9 CONFIG REQUIRED)
find_package(date CONFIG REQUIRED)            # date::date, date::date-tz (Howard Hinnant; system tzdb)

# RapidJSON's config sets only RAPIDJSON_INCLUDE_DIRS; wrap it in a target.
find_package(RapidJSON CONFIG REQUIRED)
if(NOT TARGET flowkit_rapidjson)
  add_library(flowkit_rapidjson INTERFACE)
  target_include_directories(flowkit_rapidjson SYSTEM INTERFACE ${RAPIDJSON_INCLUDE_DIRS})
  # std::string support and SSE4.2 scanning are safe on every x86-64 we target.
  target_compile_definitions(flowkit_rapidjson INTERFACE RAPIDJSON_HAS_STDSTRING=1)
endif()

# flowkit_pkg_dependency(<PREFIX> <module>): pkg_check_modules(<PREFIX> REQUIRED IMPORTED_TARGET
# <module>) → PkgConfig::<PREFIX>, remembering the module so the installed flowkitConfig.cmake
# can re-create the same target for a consumer of the static library (FlowkitInstall.cmake).
# A macro, so the usual <PREFIX>_* result variables stay visible to the caller.
macro(flowkit_pkg_dependency prefix module)
  pkg_check_modules(${prefix} REQUIRED IMPORTED_TARGET ${module})
  set_property(GLOBAL PROPERTY FLOWKIT_PKG_MODULE_${prefix} ${module})
endmacro()

flowkit_pkg_dependency(PCRE2 libpcre2-8)
flowkit_pkg_dependency(SODIUM libsodium)
flowkit_pkg_dependency(SQLITE3 sqlite3)
flowkit_pkg_dependency(LMDB lmdb)
# The converters: HTML tables and XLSX parts are read with libxml2, XLSX archives opened with
# libzip and written with libxlsxwriter.
flowkit_pkg_dependency(LIBXML2 libxml-2.0)
flowkit_pkg_dependency(LIBZIP libzip)
flowkit_pkg_dependency(XLSXWRITER xlsxwriter)
# The JavaScript sandbox's engine, built from the sources duktape-dev ships (see Duktape.cmake).
include(Duktape)

if(FLOWKIT_BUILD_TOOLS OR FLOWKIT_BUILD_SERVER)
  find_package(CLI11 CONFIG REQUIRED)
endif()
if(FLOWKIT_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
  find_package(OpenSSL REQUIRED)  # the HTTP client's TLS tests make their own certificate
endif()
if(FLOWKIT_BUILD_BENCH)
  find_package(benchmark CONFIG REQUIRED)
endif()

# The library's HTTP client (src/http/): libcurl's multi interface on a libuv loop.
flowkit_pkg_dependency(LIBUV libuv)
find_package(CURL REQUIRED)

# The server (flowkitd) and the CLI's remote commands: the llhttp parser (built from the C
# sources Debian's node-llhttp ships; see Llhttp.cmake).
if(FLOWKIT_BUILD_SERVER OR FLOWKIT_BUILD_TOOLS)
  include(Llhttp)
endif()
