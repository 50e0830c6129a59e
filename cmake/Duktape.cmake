# Duktape 2.7, the JavaScript engine of the sandbox (src/js/sandbox.cc), built from the
# amalgamated sources Debian's duktape-dev ships in /usr/share/duktape; nothing is vendored.
#
# The sandbox needs options the shipped configuration leaves off, so configure writes edited
# copies of duk_config.h, duktape.h and duktape.c into the build tree (duktape.h includes
# "duk_config.h" from its own folder, so all three travel together). Every edit is checked:
# when a Duktape update moves the text, configure fails instead of building an unguarded engine.
#   duk_config.h  DUK_USE_INTERRUPT_COUNTER + DUK_USE_EXEC_TIMEOUT_CHECK: the bytecode executor
#                 asks flowkit_duk_exec_timeout_check(heap udata) every 256K instructions.
#   duktape.c     the RegExp matcher asks the same every 64K backtracking steps (its own step
#                 limit is 1e9, far beyond any time limit), and property reads and writes ask
#                 flowkit_duk_native_step, so built-ins that loop natively without bytecode
#                 (new Array(2**32 - 1).indexOf(1)) stop at the deadline too.
# The result is the object library flowkit_duktape, compiled into libflowkit itself (so the
# installed static library needs no extra target) and exposing FLOWKIT_DUKTAPE_INCLUDE_DIR.
if(TARGET flowkit_duktape)
  return()
endif()

set(_duk_src_dir /usr/share/duktape)
foreach(_duk_file duktape.c duktape.h duk_config.h)
  if(NOT EXISTS ${_duk_src_dir}/${_duk_file})
    message(FATAL_ERROR "Duktape source ${_duk_src_dir}/${_duk_file} not found: install the duktape-dev "
                        "package (bash scripts/install-deps.sh)")
  endif()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_duk_src_dir}/${_duk_file})
endforeach()

file(READ ${_duk_src_dir}/duktape.h _duk_header)
if(NOT _duk_header MATCHES "#define DUK_VERSION +20700L")
  message(FATAL_ERROR "cmake/Duktape.cmake expects Duktape 2.7.0 in ${_duk_src_dir}; review its edits "
                      "for the installed version")
endif()

# _flowkit_duk_edit(<var> <what> <old> <new>): replaces the single occurrence of <old> in <var>;
# a fatal error when <old> is missing or appears more than once.
function(_flowkit_duk_edit var what old new)
  string(FIND "${${var}}" "${old}" _first)
  string(FIND "${${var}}" "${old}" _last REVERSE)
  if(_first EQUAL -1)
    message(FATAL_ERROR "Duktape edit '${what}' did not apply: text not found")
  endif()
  if(NOT _first EQUAL _last)
    message(FATAL_ERROR "Duktape edit '${what}' did not apply: text is not unique")
  endif()
  string(REPLACE "${old}" "${new}" _edited "${${var}}")
  set(${var} "${_edited}" PARENT_SCOPE)
endfunction()

# Writes only when the content changed, so re-configuring does not rebuild Duktape.
function(_flowkit_duk_write path content)
  if(EXISTS ${path})
    file(READ ${path} _old)
    if(_old STREQUAL content)
      return()
    endif()
  endif()
  file(WRITE ${path} "${content}")
endfunction()

file(READ ${_duk_src_dir}/duk_config.h _duk_config)
_flowkit_duk_edit(_duk_config "interrupt counter"
  "#undef DUK_USE_INTERRUPT_COUNTER\n" "#define DUK_USE_INTERRUPT_COUNTER\n")
_flowkit_duk_edit(_duk_config "execution timeout check"
  "#undef DUK_USE_EXEC_TIMEOUT_CHECK\n"
  "#define DUK_USE_EXEC_TIMEOUT_CHECK(udata) flowkit_duk_exec_timeout_check((udata))\n")
# The hooks, declared once the Duktape types exist (just before the header's last #endif).
_flowkit_duk_edit(_duk_config "hook declarations"
  "#endif  /* DUK_CONFIG_H_INCLUDED */"
  "/* flowkit: deadline hooks, defined in src/js/sandbox.cc. Both answer non-zero once the heap's
 * deadline has passed, and keep answering so until the error has left the engine. */
#if defined(__cplusplus)
extern \"C\" {
#endif
duk_bool_t flowkit_duk_exec_timeout_check(void *udata);
duk_bool_t flowkit_duk_native_step(void *udata);
#if defined(__cplusplus)
}
#endif
#define FLOWKIT_DUK_NATIVE_CHECK(thr) do { \\
		if (flowkit_duk_native_step((thr)->heap->heap_udata)) { \\
			DUK_ERROR_RANGE((thr), \"execution timeout\"); \\
		} \\
	} while (0)

#endif  /* DUK_CONFIG_H_INCLUDED */")

file(READ ${_duk_src_dir}/duktape.c _duk_source)
_flowkit_duk_edit(_duk_source "regexp deadline"
  "		if (re_ctx->steps_count >= re_ctx->steps_limit) {\n"
  "		if (re_ctx->steps_count >= re_ctx->steps_limit ||
		    ((re_ctx->steps_count & 0xffffU) == 0U &&
		     flowkit_duk_exec_timeout_check(re_ctx->thr->heap->heap_udata))) {\n")
_flowkit_duk_edit(_duk_source "getprop deadline"
  "	DUK_STATS_INC(thr->heap, stats_getprop_all);\n"
  "	DUK_STATS_INC(thr->heap, stats_getprop_all);\n	FLOWKIT_DUK_NATIVE_CHECK(thr);\n")
_flowkit_duk_edit(_duk_source "putprop deadline"
  "	DUK_STATS_INC(thr->heap, stats_putprop_all);\n"
  "	DUK_STATS_INC(thr->heap, stats_putprop_all);\n	FLOWKIT_DUK_NATIVE_CHECK(thr);\n")

set(FLOWKIT_DUKTAPE_INCLUDE_DIR ${CMAKE_BINARY_DIR}/duktape)
_flowkit_duk_write(${FLOWKIT_DUKTAPE_INCLUDE_DIR}/duk_config.h "${_duk_config}")
_flowkit_duk_write(${FLOWKIT_DUKTAPE_INCLUDE_DIR}/duktape.h "${_duk_header}")
_flowkit_duk_write(${FLOWKIT_DUKTAPE_INCLUDE_DIR}/duktape.c "${_duk_source}")

add_library(flowkit_duktape OBJECT ${FLOWKIT_DUKTAPE_INCLUDE_DIR}/duktape.c)
target_include_directories(flowkit_duktape PRIVATE ${FLOWKIT_DUKTAPE_INCLUDE_DIR})
set_target_properties(flowkit_duktape PROPERTIES POSITION_INDEPENDENT_CODE ON C_STANDARD 99
                                                 C_EXTENSIONS ON)
# Third-party C: not held to our warning flags (-Werror stays on for flowkit's own code).
target_compile_options(flowkit_duktape PRIVATE -w)
