// Data-store queries (DataStore::Find / Count): compiled once, matched against records.
//
// A query is an object of field paths to conditions. Paths: "key", "value", "value.a.b" (a
// numeric step also indexes arrays), "createdAt", "updatedAt". A condition is a literal (strict
// JSON equality: 1 == 1.0, "1" != 1, objects compare member-wise regardless of order) or an
// operator object whose keys all start with '$': $eq $ne $gt $gte $lt $lte $in $nin $exists
// $regex (+ $options for its flags). "$and" / "$or" at the top level take arrays of queries.
// Conditions on one query all have to hold; {} matches every record.
//
// Ordering ($gt…, sorting) compares numbers with numbers and strings with strings (by code
// point); a comparison across types is false, as in MongoDB. Time fields hold epoch
// milliseconds; their operands may be numbers (ms) or date text ("2026-11-23T18:23:11.000Z").
// A missing field matches $ne, $nin and {$exists: false} only.
//
// Kept free of any adapter so the SQLite and PostgreSQL stores can reuse the parse (the
// `Condition` tree) to translate into SQL.
//
// Threading: a compiled Query is immutable; Matches may run concurrently.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "flowkit/json.h"
#include "flowkit/status.h"
#include "flowkit/storage.h"
#include "util/regex.h"

namespace flowkit::store {

enum class QueryOp : uint8_t { kEq, kNe, kGt, kGte, kLt, kLte, kIn, kNin, kExists, kRegex };

// One operator applied to one field.
struct QueryCondition {
  std::string path;               // as written: "value.a.b"
  std::vector<std::string> steps;  // path split at '.': {"value", "a", "b"}
  QueryOp op = QueryOp::kEq;
  Json operand;                   // $in/$nin: an array; $exists: a bool; $regex: the pattern
  std::shared_ptr<const Regex> regex;  // $regex only
};

class Query {
 public:
  // kInvalidArgument naming the offending path or operator when `query` is malformed (not an
  // object, an unknown field or operator, a bad operand, a pattern that does not compile).
  // Null and undefined mean {}.
  static Result<Query> Compile(const Json& query);

  // Whether `record` satisfies every condition. An error only when a regex hits its match limit.
  Result<bool> Matches(const StoreRecord& record) const;

  bool matches_all() const noexcept { return conditions_.empty() && all_of_.empty() && any_of_.empty(); }
  const std::vector<QueryCondition>& conditions() const noexcept { return conditions_; }
  // "$and" members (each must match) and "$or" groups (one member of each must match).
  const std::vector<std::vector<Query>>& any_of() const noexcept { return any_of_; }
  const std::vector<Query>& all_of() const noexcept { return all_of_; }

 private:
  std::vector<QueryCondition> conditions_;
  std::vector<Query> all_of_;
  std::vector<std::vector<Query>> any_of_;
};

// The value at a field path of `record` ("key", "value.x", "createdAt", ...); Undefined when
// missing. Times come back as epoch-ms numbers.
Json RecordField(const StoreRecord& record, std::string_view path);

// Checks that `path` names a record field ("key", "value[.…]", "createdAt", "updatedAt").
Status ValidateFieldPath(std::string_view path);

// Total order used by sorting: missing/null < numbers < strings < objects < arrays < booleans
// (MongoDB's order), then by value within a type. <0, 0, >0.
int CompareForSort(const Json& a, const Json& b);

// Applies sort_by/descending (stable, so ties keep insertion order), then offset and limit.
// kInvalidArgument for a sort path that names no record field or a negative offset.
Status ApplyFindOptions(const FindOptions& options, std::vector<StoreRecord>* records);

}  // namespace flowkit::store
