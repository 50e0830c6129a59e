// Sandboxed JavaScript: what the g_javascript modifier, Context::EvalJavaScript (Appmixer's
// context.evalJavaScript) and the flowkit.utils.code.JavaScript component run.
//
// The engine is Duktape 2.7 (ECMAScript 5.1 with parts of ES2015+), a fresh heap per call. The
// code is the body of a function whose parameters `$data` and `value` both hold the data; what
// it returns, converted as JSON.stringify would, is the result (undefined when it returns
// nothing or something JSON cannot carry, such as a function). The code sees the standard
// built-ins only: no require or modules, no print/alert, no `Duktape` object, no file, network,
// process or host access. Time and memory are capped per call.
//
// Threading: EvalJavaScript is thread-safe; calls share nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "flowkit/json.h"
#include "flowkit/status.h"

namespace flowkit {

struct JavaScriptLimits {
  // Wall-clock time one call may run, checked at least every 256K bytecode instructions, 64K
  // RegExp steps and 4K property accesses. Default: 1 s.
  int64_t time_limit_ms = 1000;
  // Bytes the call's heap may hold, the engine's own (~100 KiB) included. Default: 32 MiB.
  size_t memory_limit_bytes = size_t{32} << 20;
};

// Runs `code` with `data` as `$data` and `value`; returns its JSON-converted result.
// Errors (never retried unless stated):
//   kInvalidArgument  a syntax error ("JavaScript syntax error: ... (line N)"), or the code threw
//                     ("JavaScript error: Error: boom (line 3)")
//   kDeadlineExceeded "JavaScript exceeded its 1000 ms time limit" (retryable, like any timeout)
//   kTooLarge         "JavaScript exceeded its memory limit of N bytes"; also when the result is
//                     too large to convert within the limit
Result<Json> EvalJavaScript(std::string_view code, const Json& data, const JavaScriptLimits& limits = {});

}  // namespace flowkit
