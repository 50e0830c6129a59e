#include "engine/insights_search.h"

#include <fmt/format.h>

#include <algorithm>

namespace flowkit::internal {
namespace {

bool IsTokenByte(unsigned char c) {
  return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Reads the 4 hex digits at text[i]; -1 when they are not there.
int32_t Hex4(std::string_view text, size_t i) {
  if (i + 4 > text.size()) return -1;
  int32_t v = 0;
  for (size_t k = 0; k < 4; ++k) {
    int h = HexValue(text[i + k]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

}  // namespace

std::string FormatInsightsId(uint64_t seq) { return fmt::format("{:016x}", seq); }

std::optional<uint64_t> ParseInsightsId(std::string_view id) {
  if (id.size() != 16) return std::nullopt;
  uint64_t v = 0;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
    v = v * 16 + static_cast<uint64_t>(HexValue(c));
  }
  return v;
}

Status ValidateInsightsQuery(const InsightsQuery& query) {
  if (query.user_id.empty()) return Status::InvalidArgument("insights query: user_id is required");
  if (query.size > kMaxInsightsPageSize) {
    return Status::InvalidArgument(
        fmt::format("insights query: size {} is over the limit of {}", query.size, kMaxInsightsPageSize));
  }
  if (query.search_after && !ParseInsightsId(query.search_after->id)) {
    return Status::InvalidArgument(fmt::format("insights query: malformed search_after id '{}'", query.search_after->id));
  }
  return Status::OK();
}

std::string InsightsMsgText(const Json& msg) { return msg.IsUndefined() ? std::string() : msg.Dump(); }

std::string InsightsSearchText(std::string_view msg_json, std::string_view port, std::string_view component_type) {
  std::string out;
  out.reserve(msg_json.size() + port.size() + component_type.size() + 2);
  for (size_t i = 0; i < msg_json.size(); ++i) {
    char c = msg_json[i];
    if (c != '\\' || i + 1 >= msg_json.size()) {
      out.push_back(c);
      continue;
    }
    char e = msg_json[++i];
    if (e != 'u') {
      // \n \t \" \\ and the rest: none is a token character, a space separates alike.
      out.push_back(' ');
      continue;
    }
    int32_t cp = Hex4(msg_json, i + 1);
    if (cp < 0) {
      out.push_back(' ');
      continue;
    }
    i += 4;
    if (cp >= 0xD800 && cp <= 0xDBFF && i + 2 < msg_json.size() && msg_json[i + 1] == '\\' &&
        msg_json[i + 2] == 'u') {
      int32_t lo = Hex4(msg_json, i + 3);
      if (lo >= 0xDC00 && lo <= 0xDFFF) {
        AppendUtf8(0x10000 + ((static_cast<uint32_t>(cp) - 0xD800) << 10) + (static_cast<uint32_t>(lo) - 0xDC00), &out);
        i += 6;
        continue;
      }
    }
    if (cp >= 0xD800 && cp <= 0xDFFF) {
      out.push_back(' ');  // a lone surrogate is not text
    } else {
      AppendUtf8(static_cast<uint32_t>(cp), &out);
    }
  }
  out.push_back('\n');
  out.append(port);
  out.push_back('\n');
  out.append(component_type);
  return out;
}

std::vector<std::string> InsightsTokens(std::string_view text) {
  std::vector<std::string> tokens;
  std::string current;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (IsTokenByte(c)) {
      current.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : ch);
    } else if (!current.empty()) {
      tokens.push_back(std::move(current));
      current.clear();
    }
  }
  if (!current.empty()) tokens.push_back(std::move(current));
  return tokens;
}

InsightsTextQuery ParseInsightsText(std::string_view text) {
  InsightsTextQuery query;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
    size_t start = i;
    while (i < text.size() && !(text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
    std::string_view word = text.substr(start, i - start);
    if (word.empty()) continue;
    InsightsTextQuery::Word w;
    w.prefix = word.back() == '*';
    w.tokens = InsightsTokens(word);
    if (!w.tokens.empty()) query.words.push_back(std::move(w));
  }
  return query;
}

std::string InsightsFts5Match(const InsightsTextQuery& query) {
  std::string out;
  for (const InsightsTextQuery::Word& w : query.words) {
    if (!out.empty()) out.push_back(' ');
    // Tokens hold no '"' (a separator), so quoting needs no escapes; FTS5 re-tokenizes the
    // phrase with the same tokenizer.
    out.push_back('"');
    for (size_t k = 0; k < w.tokens.size(); ++k) {
      if (k > 0) out.push_back(' ');
      out.append(w.tokens[k]);
    }
    out.push_back('"');
    if (w.prefix) out.push_back('*');
  }
  return out;
}

bool InsightsTextMatches(const InsightsTextQuery& query, const std::vector<std::string>& tokens) {
  for (const InsightsTextQuery::Word& w : query.words) {
    const size_t n = w.tokens.size();
    bool found = false;
    for (size_t start = 0; !found && start + n <= tokens.size(); ++start) {
      bool all = true;
      for (size_t k = 0; all && k < n; ++k) {
        const std::string& have = tokens[start + k];
        const std::string& want = w.tokens[k];
        all = (w.prefix && k + 1 == n) ? have.compare(0, want.size(), want) == 0 : have == want;
      }
      found = all;
    }
    if (!found) return false;
  }
  return true;
}

}  // namespace flowkit::internal
