#include "util/regex.h"

#include <mutex>
#include <unordered_map>
#include <utility>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

namespace flowkit {
namespace {

std::string ErrorText(int code) {
  PCRE2_UCHAR buffer[256];
  int n = pcre2_get_error_message(code, buffer, sizeof(buffer));
  if (n < 0) return "error " + std::to_string(code);
  return std::string(reinterpret_cast<const char*>(buffer), static_cast<size_t>(n));
}

// Length of the UTF-8 sequence starting with byte `c` (1 for invalid lead bytes).
size_t Utf8Length(unsigned char c) {
  if (c >= 0xf0) return 4;
  if (c >= 0xe0) return 3;
  if (c >= 0xc0) return 2;
  return 1;
}

}  // namespace

struct Regex::Code {
  pcre2_code* code = nullptr;
  pcre2_match_context* context = nullptr;
  ~Code() {
    pcre2_match_context_free(context);
    pcre2_code_free(code);
  }
};

Regex::Regex(std::string pattern, bool global, std::unique_ptr<Code> code)
    : pattern_(std::move(pattern)), global_(global), code_(std::move(code)) {}

Regex::~Regex() = default;

Result<std::shared_ptr<const Regex>> Regex::Compile(std::string_view pattern,
                                                    std::string_view flags) {
  uint32_t options = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_ALT_BSUX | PCRE2_DOLLAR_ENDONLY |
                     PCRE2_MATCH_UNSET_BACKREF | PCRE2_NEVER_BACKSLASH_C;
  bool global = false;
  std::string seen;
  for (char f : flags) {
    if (seen.find(f) != std::string::npos) {
      return Status::InvalidArgument("invalid regular expression flags \"" + std::string(flags) +
                                     "\": '" + std::string(1, f) + "' repeated");
    }
    seen.push_back(f);
    switch (f) {
      case 'i':
        options |= PCRE2_CASELESS;
        break;
      case 'm':
        options |= PCRE2_MULTILINE;
        break;
      case 's':
        options |= PCRE2_DOTALL;
        break;
      case 'g':
        global = true;
        break;
      case 'u':
      case 'y':
      case 'd':
        break;
      default:
        return Status::InvalidArgument("invalid regular expression flag '" + std::string(1, f) +
                                       "' (allowed: g i m s u y)");
    }
  }

  pcre2_compile_context* cctx = pcre2_compile_context_create(nullptr);
  if (cctx == nullptr) return Status::Internal("out of memory compiling a regular expression");
  pcre2_set_compile_extra_options(cctx, PCRE2_EXTRA_ALT_BSUX);
  int error_code = 0;
  PCRE2_SIZE error_offset = 0;
  auto code = std::make_unique<Code>();
  code->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), options,
                             &error_code, &error_offset, cctx);
  pcre2_compile_context_free(cctx);
  if (code->code == nullptr) {
    return Status::InvalidArgument("invalid regular expression /" + std::string(pattern) +
                                   "/ at offset " + std::to_string(error_offset) + ": " +
                                   ErrorText(error_code));
  }
  code->context = pcre2_match_context_create(nullptr);
  if (code->context == nullptr)
    return Status::Internal("out of memory compiling a regular expression");
  pcre2_set_match_limit(code->context, kMatchLimit);
  pcre2_set_depth_limit(code->context, kDepthLimit);
  pcre2_set_heap_limit(code->context, 64 * 1024);  // KiB
  return std::shared_ptr<const Regex>(new Regex(std::string(pattern), global, std::move(code)));
}

Result<std::optional<Regex::Match>> Regex::Exec(std::string_view subject, size_t from) const {
  if (from > subject.size()) return std::optional<Match>();
  pcre2_match_data* data = pcre2_match_data_create_from_pattern(code_->code, nullptr);
  if (data == nullptr) return Status::Internal("out of memory matching a regular expression");
  int rc = pcre2_match(code_->code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(),
                       from, 0, data, code_->context);
  if (rc == PCRE2_ERROR_NOMATCH) {
    pcre2_match_data_free(data);
    return std::optional<Match>();
  }
  if (rc < 0) {
    pcre2_match_data_free(data);
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
        rc == PCRE2_ERROR_HEAPLIMIT) {
      return Status::InvalidArgument(
          "regular expression /" + pattern_ +
          "/ needs too much backtracking on this input: " + ErrorText(rc));
    }
    return Status::InvalidArgument("regular expression /" + pattern_ +
                                   "/ failed: " + ErrorText(rc));
  }
  uint32_t count = pcre2_get_ovector_count(data);
  PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(data);
  Match m;
  m.start = ovector[0];
  m.end = ovector[1];
  m.groups.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    PCRE2_SIZE s = ovector[2 * i];
    PCRE2_SIZE e = ovector[2 * i + 1];
    if (s == PCRE2_UNSET || i >= static_cast<uint32_t>(rc) || e < s) {
      m.groups.emplace_back(std::nullopt);
    } else {
      m.groups.emplace_back(std::string(subject.substr(s, e - s)));
    }
  }
  uint32_t name_count = 0;
  pcre2_pattern_info(code_->code, PCRE2_INFO_NAMECOUNT, &name_count);
  if (name_count > 0) {
    uint32_t entry_size = 0;
    PCRE2_SPTR table = nullptr;
    pcre2_pattern_info(code_->code, PCRE2_INFO_NAMEENTRYSIZE, &entry_size);
    pcre2_pattern_info(code_->code, PCRE2_INFO_NAMETABLE, &table);
    for (uint32_t i = 0; i < name_count; ++i) {
      PCRE2_SPTR entry = table + i * entry_size;
      size_t index = (static_cast<size_t>(entry[0]) << 8) | entry[1];
      m.names.emplace_back(std::string(reinterpret_cast<const char*>(entry + 2)), index);
    }
  }
  pcre2_match_data_free(data);
  return std::optional<Match>(std::move(m));
}

Result<bool> Regex::Test(std::string_view subject) const {
  FLOWKIT_ASSIGN_OR_RETURN(auto m, Exec(subject));
  return m.has_value();
}

Result<std::vector<Regex::Match>> Regex::MatchAll(std::string_view subject) const {
  std::vector<Match> matches;
  size_t from = 0;
  while (from <= subject.size()) {
    FLOWKIT_ASSIGN_OR_RETURN(auto m, Exec(subject, from));
    if (!m) break;
    // An empty match moves on by one character, as JavaScript's lastIndex does.
    from = m->end > m->start
               ? m->end
               : m->end + (m->end < subject.size()
                               ? Utf8Length(static_cast<unsigned char>(subject[m->end]))
                               : 1);
    matches.push_back(std::move(*m));
  }
  return matches;
}

namespace {

void ExpandReplacement(std::string_view replacement, std::string_view subject,
                       const Regex::Match& m, std::string* out) {
  size_t group_count = m.groups.size();  // includes group 0
  for (size_t i = 0; i < replacement.size(); ++i) {
    char c = replacement[i];
    if (c != '$' || i + 1 >= replacement.size()) {
      out->push_back(c);
      continue;
    }
    char n = replacement[i + 1];
    if (n == '$') {
      out->push_back('$');
      ++i;
    } else if (n == '&') {
      out->append(subject.substr(m.start, m.end - m.start));
      ++i;
    } else if (n == '`') {
      out->append(subject.substr(0, m.start));
      ++i;
    } else if (n == '\'') {
      out->append(subject.substr(m.end));
      ++i;
    } else if (n >= '0' && n <= '9') {
      // Two digits when that names an existing group, else one (JavaScript's rule).
      size_t one = static_cast<size_t>(n - '0');
      size_t used = 0;
      size_t index = 0;
      if (i + 2 < replacement.size() && replacement[i + 2] >= '0' && replacement[i + 2] <= '9') {
        size_t two = one * 10 + static_cast<size_t>(replacement[i + 2] - '0');
        if (two >= 1 && two < group_count) {
          index = two;
          used = 2;
        }
      }
      if (used == 0 && one >= 1 && one < group_count) {
        index = one;
        used = 1;
      }
      if (used == 0) {
        out->push_back('$');
        continue;
      }
      if (m.groups[index]) out->append(*m.groups[index]);
      i += used;
    } else if (n == '<' && !m.names.empty()) {
      size_t close = replacement.find('>', i + 2);
      if (close == std::string_view::npos) {
        out->push_back('$');
        continue;
      }
      std::string_view name = replacement.substr(i + 2, close - i - 2);
      for (const auto& [group_name, index] : m.names) {
        if (group_name == name && index < group_count && m.groups[index])
          out->append(*m.groups[index]);
      }
      i = close;
    } else {
      out->push_back('$');
    }
  }
}

}  // namespace

Result<std::string> Regex::Replace(std::string_view subject, std::string_view replacement,
                                   bool all) const {
  std::vector<Match> matches;
  if (all) {
    FLOWKIT_ASSIGN_OR_RETURN(matches, MatchAll(subject));
  } else {
    FLOWKIT_ASSIGN_OR_RETURN(auto m, Exec(subject));
    if (m) matches.push_back(std::move(*m));
  }
  std::string out;
  size_t last = 0;
  for (const Match& m : matches) {
    out.append(subject.substr(last, m.start - last));
    ExpandReplacement(replacement, subject, m, &out);
    last = m.end;
  }
  out.append(subject.substr(last));
  return out;
}

struct RegexCache::Impl {
  size_t capacity;
  std::mutex mu;
  std::unordered_map<std::string, std::shared_ptr<const Regex>> entries;  // guarded by mu
};

RegexCache::RegexCache(size_t capacity) : impl_(std::make_unique<Impl>()) {
  impl_->capacity = capacity;
}
RegexCache::~RegexCache() = default;

Result<std::shared_ptr<const Regex>> RegexCache::Get(std::string_view pattern,
                                                     std::string_view flags) {
  // Flags never contain '/', so "flags/pattern" is an unambiguous key.
  std::string key;
  key.reserve(flags.size() + 1 + pattern.size());
  key.append(flags).push_back('/');
  key.append(pattern);
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    auto it = impl_->entries.find(key);
    if (it != impl_->entries.end()) return it->second;
  }
  FLOWKIT_ASSIGN_OR_RETURN(auto regex, Regex::Compile(pattern, flags));
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->entries.size() >= impl_->capacity) impl_->entries.clear();
  impl_->entries.emplace(std::move(key), regex);
  return regex;
}

RegexCache& RegexCache::Default() {
  static RegexCache* cache = new RegexCache();
  return *cache;
}

}  // namespace flowkit
