# Warning and sanitizer flags for flowkit's own targets (never for third-party code).
set(FLOWKIT_WARNING_FLAGS -Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor)
if(FLOWKIT_WERROR)
  list(APPEND FLOWKIT_WARNING_FLAGS -Werror)
endif()

set(FLOWKIT_SANITIZER_FLAGS "")
if(FLOWKIT_SANITIZE)
  set(FLOWKIT_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
elseif(FLOWKIT_TSAN)
  set(FLOWKIT_SANITIZER_FLAGS -fsanitize=thread -fno-omit-frame-pointer)
endif()
if(FLOWKIT_SANITIZER_FLAGS)
  add_compile_options(${FLOWKIT_SANITIZER_FLAGS})
  add_link_options(${FLOWKIT_SANITIZER_FLAGS})
  # GCC's instrumentation hides initialisation from its flow analysis, so with sanitizers it
  # reports -Wmaybe-uninitialized on std::variant moves that are initialised (GCC documents
  # that sanitizers may cause false warnings). The normal build keeps the warning as an error.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    list(APPEND FLOWKIT_WARNING_FLAGS -Wno-maybe-uninitialized)
  endif()
endif()

# flowkit_target_defaults(target): the flags every flowkit-owned target gets.
function(flowkit_target_defaults target)
  target_compile_options(${target} PRIVATE ${FLOWKIT_WARNING_FLAGS})
endfunction()

# GCC 12 at -O3 reports -Wrestrict for ordinary std::string concatenation (GCC bug 105329);
# with -Werror that breaks correct code.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  list(APPEND FLOWKIT_WARNING_FLAGS -Wno-restrict)
endif()
