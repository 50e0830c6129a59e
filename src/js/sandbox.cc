// The JavaScript sandbox (flowkit/javascript.h) on Duktape 2.7, built by cmake/Duktape.cmake.
//
// Every call gets a fresh heap whose allocator counts bytes against the memory limit and whose
// udata carries the deadline the engine's hooks poll (the interrupt counter in the bytecode
// executor, the RegExp matcher and property access; see cmake/Duktape.cmake). A heap shares
// nothing with another, so nothing a call does (prototype changes, globals) outlives it, and
// calls on different threads are independent. Pooling heaps would save the set-up (see
// bench/javascript_bench.cc) but would need a proof that a used heap can be reset completely;
// a fresh heap needs none.
//
// Duktape reports errors with longjmp, which skips C++ destructors: code that runs inside
// duk_safe_call (RunCall, DescribeError) holds only trivially destructible locals.
#include "flowkit/javascript.h"

#include <duktape.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace flowkit {
namespace {

using SteadyClock = std::chrono::steady_clock;

// The heap's udata: its memory account and deadline.
struct HeapState {
  size_t limit = 0;
  size_t used = 0;
  bool refused = false;  // an allocation was refused for the limit
  SteadyClock::time_point deadline;
  bool timed_out = false;  // once set, stays set: Duktape needs a consistent answer
  uint32_t native_steps = 0;
};

// Each block starts with its size, so frees and reallocs can be accounted; the header keeps the
// payload as aligned as malloc's.
constexpr size_t kHeader = alignof(std::max_align_t);

bool Reserve(HeapState* s, size_t bytes) {
  if (bytes > s->limit - s->used) {
    s->refused = true;
    return false;
  }
  s->used += bytes;
  return true;
}

size_t BlockSize(const char* block) {
  size_t size;
  std::memcpy(&size, block, sizeof(size));
  return size;
}

void* Allocate(void* udata, duk_size_t size) {
  auto* s = static_cast<HeapState*>(udata);
  if (size > SIZE_MAX - kHeader) return nullptr;
  size_t total = size + kHeader;
  if (!Reserve(s, total)) return nullptr;
  char* block = static_cast<char*>(std::malloc(total));
  if (block == nullptr) {
    s->used -= total;
    return nullptr;
  }
  std::memcpy(block, &total, sizeof(total));
  return block + kHeader;
}

void Free(void* udata, void* ptr) {
  if (ptr == nullptr) return;
  auto* s = static_cast<HeapState*>(udata);
  char* block = static_cast<char*>(ptr) - kHeader;
  s->used -= BlockSize(block);
  std::free(block);
}

void* Reallocate(void* udata, void* ptr, duk_size_t size) {
  if (ptr == nullptr) return Allocate(udata, size);
  if (size == 0) {
    Free(udata, ptr);
    return nullptr;
  }
  auto* s = static_cast<HeapState*>(udata);
  if (size > SIZE_MAX - kHeader) return nullptr;
  char* block = static_cast<char*>(ptr) - kHeader;
  const size_t old_total = BlockSize(block);
  const size_t total = size + kHeader;
  if (total > old_total && !Reserve(s, total - old_total)) return nullptr;
  char* moved = static_cast<char*>(std::realloc(block, total));
  if (moved == nullptr) {
    if (total > old_total) s->used -= total - old_total;
    return nullptr;  // the old block stays valid, as Duktape expects
  }
  if (total < old_total) s->used -= old_total - total;
  std::memcpy(moved, &total, sizeof(total));
  return moved + kHeader;
}

// Called only for an error outside any protected call, which this file never makes: reaching it
// is a defect in flowkit or Duktape, and Duktape requires that the handler not return.
[[noreturn]] void Fatal(void*, const char* message) {
  std::fprintf(stderr, "flowkit: fatal Duktape error: %s\n", message != nullptr ? message : "");
  std::abort();
}

// Globals the sandbox removes: Duktape's own object (gc, act, Thread, info, ...).
constexpr const char* kRemovedGlobals[] = {"Duktape"};

struct CallArgs {  // trivially destructible: RunCall may be left by longjmp
  const char* source;
  size_t source_size;
  const char* data;  // JSON text; nullptr for undefined
  size_t data_size;
  bool compiled;  // set once the source compiled: later errors are runtime errors
};

// [] → [result as JSON text, or undefined].
duk_ret_t RunCall(duk_context* ctx, void* udata) {
  auto* args = static_cast<CallArgs*>(udata);
  duk_push_global_object(ctx);
  for (const char* name : kRemovedGlobals) duk_del_prop_string(ctx, -1, name);
  duk_pop(ctx);

  duk_push_string(ctx, "code");  // the file name in messages and stack traces
  duk_compile_lstring_filename(ctx, DUK_COMPILE_FUNCTION, args->source, args->source_size);
  args->compiled = true;
  if (args->data != nullptr) {
    duk_push_lstring(ctx, args->data, args->data_size);
    duk_json_decode(ctx, -1);
  } else {
    duk_push_undefined(ctx);
  }
  duk_dup(ctx, -1);  // $data, value
  duk_call(ctx, 2);  // `this` is undefined: the global object in sloppy code, as in a browser
  if (!duk_is_undefined(ctx, -1)) duk_json_encode(ctx, -1);
  return 1;
}

// [error] → [text, line number or undefined].
duk_ret_t DescribeError(duk_context* ctx, void*) {
  duk_dup(ctx, -1);
  duk_to_string(ctx, -1);
  if (duk_is_error(ctx, -2)) {
    duk_get_prop_string(ctx, -2, "lineNumber");
  } else {
    duk_push_undefined(ctx);
  }
  return 2;
}

// Duktape strings are CESU-8: a code point above U+FFFF is two 3-byte surrogates. Converting
// 4-byte UTF-8 to that form going in makes the code see what JavaScript would ("😀".length is
// 2); Utf8FromCesu8 joins the pairs again coming out.
std::string Cesu8FromUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0xf0 && c <= 0xf4 && i + 3 < text.size()) {
      const auto b1 = static_cast<unsigned char>(text[i + 1]);
      const auto b2 = static_cast<unsigned char>(text[i + 2]);
      const auto b3 = static_cast<unsigned char>(text[i + 3]);
      if ((b1 & 0xc0) == 0x80 && (b2 & 0xc0) == 0x80 && (b3 & 0xc0) == 0x80) {
        uint32_t cp = ((c & 0x07u) << 18) | ((b1 & 0x3fu) << 12) | ((b2 & 0x3fu) << 6) | (b3 & 0x3fu);
        if (cp >= 0x10000 && cp <= 0x10ffff) {
          cp -= 0x10000;
          for (uint32_t unit : {0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff)}) {
            out.push_back(static_cast<char>(0xe0 | (unit >> 12)));
            out.push_back(static_cast<char>(0x80 | ((unit >> 6) & 0x3f)));
            out.push_back(static_cast<char>(0x80 | (unit & 0x3f)));
          }
          i += 4;
          continue;
        }
      }
    }
    out.push_back(text[i]);
    ++i;
  }
  return out;
}

// The surrogate (0xd800..0xdfff) encoded at text[i] in CESU-8, or 0.
uint32_t SurrogateAt(std::string_view text, size_t i) {
  if (i + 2 >= text.size() || static_cast<unsigned char>(text[i]) != 0xed) return 0;
  const auto b1 = static_cast<unsigned char>(text[i + 1]);
  const auto b2 = static_cast<unsigned char>(text[i + 2]);
  if (b1 < 0xa0 || b1 > 0xbf || (b2 & 0xc0) != 0x80) return 0;
  return 0xd000u | ((b1 & 0x3fu) << 6) | (b2 & 0x3fu);
}

// Joins surrogate pairs into 4-byte UTF-8; a lone surrogate becomes U+FFFD (JSON text must be
// valid UTF-8, and JSON.stringify would escape it).
std::string Utf8FromCesu8(std::string_view text) {
  if (text.find('\xed') == std::string_view::npos) return std::string(text);
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const uint32_t high = SurrogateAt(text, i);
    if (high == 0) {
      out.push_back(text[i]);
      ++i;
      continue;
    }
    const uint32_t low = SurrogateAt(text, i + 3);
    if (high < 0xdc00 && low >= 0xdc00) {
      const uint32_t cp = 0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00);
      out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
      i += 6;
    } else {
      out.append("\xef\xbf\xbd");
      i += 3;
    }
  }
  return out;
}

// Owns one heap; destroying it frees everything the call allocated.
class Heap {
 public:
  explicit Heap(HeapState* state)
      : ctx_(duk_create_heap(Allocate, Reallocate, Free, state, Fatal)) {}
  ~Heap() {
    if (ctx_ != nullptr) duk_destroy_heap(ctx_);
  }
  Heap(const Heap&) = delete;
  Heap& operator=(const Heap&) = delete;
  duk_context* get() const { return ctx_; }

 private:
  duk_context* ctx_;
};

Status MemoryLimitError(const JavaScriptLimits& limits) {
  return Status::TooLarge("JavaScript exceeded its memory limit of " +
                          std::to_string(limits.memory_limit_bytes) + " bytes");
}

// The error at the top of the stack as a Status (the stack keeps its height).
Status ErrorStatus(duk_context* ctx, const HeapState& state, const JavaScriptLimits& limits,
                   bool compiled) {
  if (state.timed_out) {
    return Status::DeadlineExceeded("JavaScript exceeded its " + std::to_string(limits.time_limit_ms) +
                                    " ms time limit");
  }
  if (state.refused) return MemoryLimitError(limits);
  std::string text = "a value that cannot be shown";
  int line = 0;
  if (duk_safe_call(ctx, DescribeError, nullptr, 1, 2) == DUK_EXEC_SUCCESS) {
    duk_size_t size = 0;
    const char* chars = duk_get_lstring(ctx, -2, &size);
    if (chars != nullptr) text = Utf8FromCesu8(std::string_view(chars, size));
    if (duk_is_number(ctx, -1)) line = duk_get_int(ctx, -1);
  } else if (state.timed_out) {  // turning the error into text ran out of time
    return ErrorStatus(ctx, state, limits, compiled);
  }
  duk_pop_n(ctx, 2);
  if (!compiled) {
    // "SyntaxError: unterminated string (line 1, end of input)": the prefix is said in words.
    // Other compile failures are limits ("RangeError: compiler recursion limit").
    constexpr std::string_view kPrefix = "SyntaxError: ";
    if (!text.starts_with(kPrefix)) return Status::InvalidArgument("JavaScript could not be compiled: " + text);
    return Status::InvalidArgument("JavaScript syntax error: " + text.substr(kPrefix.size()));
  }
  if (line > 0 && text.find("(line ") == std::string::npos) text += " (line " + std::to_string(line) + ")";
  return Status::InvalidArgument("JavaScript error: " + text);
}

}  // namespace

Result<Json> EvalJavaScript(std::string_view code, const Json& data, const JavaScriptLimits& limits) {
  // The function's first line holds the parameters, so line numbers are the code's own.
  std::string source = "function ($data, value) {" + Cesu8FromUtf8(code) + "\n}";
  std::string data_text;
  if (!data.IsUndefined()) data_text = Cesu8FromUtf8(data.Dump());

  HeapState state;
  state.limit = limits.memory_limit_bytes;
  state.deadline = SteadyClock::now() + std::chrono::milliseconds(limits.time_limit_ms);
  Heap heap(&state);
  duk_context* ctx = heap.get();
  if (ctx == nullptr) {
    if (state.refused) return MemoryLimitError(limits);
    return Status::ResourceExhausted("JavaScript engine could not be created: out of memory");
  }
  CallArgs args{source.data(), source.size(), data.IsUndefined() ? nullptr : data_text.data(),
                data_text.size(), false};
  if (duk_safe_call(ctx, RunCall, &args, 0, 1) != DUK_EXEC_SUCCESS) {
    return ErrorStatus(ctx, state, limits, args.compiled);
  }
  if (duk_is_undefined(ctx, -1)) return Json::Undefined();
  duk_size_t size = 0;
  const char* chars = duk_get_lstring(ctx, -1, &size);
  if (chars == nullptr) return Status::Internal("JavaScript result was not converted to JSON");
  Result<Json> result = Json::Parse(Utf8FromCesu8(std::string_view(chars, size)));
  if (!result.ok()) {
    return Status::Internal("JavaScript result is not valid JSON: " + result.status().message());
  }
  return result;
}

}  // namespace flowkit

// The deadline hooks compiled into Duktape (declared in the generated duk_config.h).
extern "C" duk_bool_t flowkit_duk_exec_timeout_check(void* udata) {
  auto* state = static_cast<flowkit::HeapState*>(udata);
  if (!state->timed_out && flowkit::SteadyClock::now() >= state->deadline) state->timed_out = true;
  return state->timed_out ? 1 : 0;
}

// Property reads and writes are far more frequent than the clock needs reading: every 4096th.
extern "C" duk_bool_t flowkit_duk_native_step(void* udata) {
  auto* state = static_cast<flowkit::HeapState*>(udata);
  if (state->timed_out) return 1;
  if ((++state->native_steps & 0xfffu) != 0) return 0;
  return flowkit_duk_exec_timeout_check(udata);
}
