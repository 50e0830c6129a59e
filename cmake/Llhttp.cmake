# llhttp as a static library. Debian's node-llhttp package ships llhttp's C sources in
# /usr/share/llhttp and its header in /usr/share/include/llhttp; nothing is vendored.
if(TARGET flowkit_llhttp)
  return()
endif()
find_path(LLHTTP_INCLUDE_DIR llhttp.h PATHS /usr/share/include/llhttp NO_DEFAULT_PATH)
find_file(LLHTTP_SOURCE_LLHTTP llhttp.c PATHS /usr/share/llhttp NO_DEFAULT_PATH)
find_file(LLHTTP_SOURCE_API api.c PATHS /usr/share/llhttp NO_DEFAULT_PATH)
find_file(LLHTTP_SOURCE_HTTP http.c PATHS /usr/share/llhttp NO_DEFAULT_PATH)
if(NOT LLHTTP_INCLUDE_DIR OR NOT LLHTTP_SOURCE_LLHTTP OR NOT LLHTTP_SOURCE_API OR NOT LLHTTP_SOURCE_HTTP)
  message(FATAL_ERROR "llhttp sources not found in /usr/share/llhttp: install the node-llhttp package "
                      "(bash scripts/install-deps.sh)")
endif()
add_library(flowkit_llhttp STATIC ${LLHTTP_SOURCE_LLHTTP} ${LLHTTP_SOURCE_API} ${LLHTTP_SOURCE_HTTP})
target_include_directories(flowkit_llhttp SYSTEM PUBLIC ${LLHTTP_INCLUDE_DIR})
set_target_properties(flowkit_llhttp PROPERTIES POSITION_INDEPENDENT_CODE ON C_STANDARD 99)
# Third-party C: not held to our warning flags.
target_compile_options(flowkit_llhttp PRIVATE -w)
