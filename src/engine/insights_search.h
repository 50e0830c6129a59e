// What every insights store shares: record ids, query validation and the full-text query
// (tokenizing, matching in memory, and its FTS5 form), so the adapters agree to the token.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flowkit/insights.h"

namespace flowkit::internal {

// The record id for a store's sequence number: 16 lower-case hex digits, so ids compare as
// strings in the same order as the numbers.
std::string FormatInsightsId(uint64_t seq);
// nullopt unless `id` is what FormatInsightsId writes.
std::optional<uint64_t> ParseInsightsId(std::string_view id);

// kInvalidArgument for an empty user, an oversize page or a malformed cursor.
Status ValidateInsightsQuery(const InsightsQuery& query);

// The msg as stored and searched: its compact JSON, or "" for undefined.
std::string InsightsMsgText(const Json& msg);

// The text the full-text query searches: the msg's JSON text with string escapes decoded
// (so "a\nb" yields the tokens a and b), then the port and the component type, one per line.
// Part of the SQLite schema: the FTS index is contentless and deleting a row replays this
// function, so changing it needs a schema migration that rebuilds the index.
std::string InsightsSearchText(std::string_view msg_json, std::string_view port, std::string_view component_type);

// SQLite FTS5's "ascii" tokenizer: ASCII letters and digits (folded to lower case) and every
// non-ASCII byte are token characters; any other ASCII byte separates tokens.
std::vector<std::string> InsightsTokens(std::string_view text);

// InsightsQuery::text, parsed: every word must occur as a run of adjacent tokens.
struct InsightsTextQuery {
  struct Word {
    std::vector<std::string> tokens;
    bool prefix = false;  // the last token matches as a prefix
  };
  std::vector<Word> words;  // empty: no text filter
};
InsightsTextQuery ParseInsightsText(std::string_view text);

// The FTS5 MATCH expression for a non-empty query: each word a quoted phrase, ANDed.
std::string InsightsFts5Match(const InsightsTextQuery& query);

// Whether the tokens of a search text satisfy the query (the memory store's matcher).
bool InsightsTextMatches(const InsightsTextQuery& query, const std::vector<std::string>& tokens);

}  // namespace flowkit::internal
