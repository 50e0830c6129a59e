// Regular expressions written by users (filters, Assert, modifiers), compiled with PCRE2 in a
// JavaScript-like mode: ECMAScript escapes (\u, \x), $ only at the very end without the m flag,
// unset back-references match empty. Matching is bounded by match and depth limits, so a
// catastrophic pattern fails with an error instead of hanging a worker. Never std::regex.
//
// Threading: a compiled Regex is immutable and may be used from many threads at once;
// RegexCache is thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flowkit/status.h"

namespace flowkit {

class Regex {
 public:
  struct Match {
    size_t start = 0;  // byte offsets of the whole match in the subject
    size_t end = 0;
    // groups[0] is the whole match; a group that did not take part is nullopt.
    std::vector<std::optional<std::string>> groups;
    std::vector<std::pair<std::string, size_t>> names;  // named group → index
  };

  // `flags` as in JavaScript: i (ignore case), m (multiline), s (dotAll), g (global, used by
  // Replace and MatchAll), u and y are accepted (UTF-8 subjects are always matched by code
  // point). kInvalidArgument names the pattern problem and its offset.
  static Result<std::shared_ptr<const Regex>> Compile(std::string_view pattern,
                                                      std::string_view flags = {});

  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  const std::string& pattern() const noexcept { return pattern_; }
  bool global() const noexcept { return global_; }

  // RegExp.prototype.test. Hitting the match limit is kInvalidArgument (the same pattern and
  // subject would fail again, so it is not worth a retry).
  Result<bool> Test(std::string_view subject) const;
  // The first match at or after byte `from`, or nullopt.
  Result<std::optional<Match>> Exec(std::string_view subject, size_t from = 0) const;
  // Every non-overlapping match (String.prototype.matchAll).
  Result<std::vector<Match>> MatchAll(std::string_view subject) const;
  // String.prototype.replace with a JavaScript replacement pattern ($$, $&, $`, $', $1..$99,
  // $<name>); every match when `all`, else the first.
  Result<std::string> Replace(std::string_view subject, std::string_view replacement,
                              bool all) const;

  // Limits on backtracking work per match call.
  static constexpr uint32_t kMatchLimit = 1'000'000;
  static constexpr uint32_t kDepthLimit = 10'000;

 private:
  struct Code;
  Regex(std::string pattern, bool global, std::unique_ptr<Code> code);

  std::string pattern_;
  bool global_;
  std::unique_ptr<Code> code_;
};

// Compiles each (pattern, flags) once; keeps at most `capacity` entries (clears when full, since
// user patterns come from a bounded set of flows).
class RegexCache {
 public:
  explicit RegexCache(size_t capacity = 512);
  ~RegexCache();
  Result<std::shared_ptr<const Regex>> Get(std::string_view pattern, std::string_view flags = {});

  // The process-wide cache used by built-in components and modifiers.
  static RegexCache& Default();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace flowkit
