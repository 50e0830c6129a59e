// Insights: the log of every message a component received or sent and every error, in the
// shape of Appmixer's insights records. The engine writes to an InsightsSink; the memory sink
// keeps the newest records for queries and tests.
//
// Threading: InsightsSink::Write is called from engine worker threads concurrently; sinks must
// be thread-safe and must not block for long (batch or drop, never stall a worker).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "flowkit/json.h"

namespace flowkit {

enum class InsightsLevel : uint8_t {
  kAll,     // every in/out message and every error
  kErrors,  // errors only
  kNone,
};

struct InsightsRecord {
  int64_t time_ms = 0;
  std::string severity;  // "info" | "error"
  std::string flow_id;
  std::string user_id;
  std::string component_id;
  std::string component_type;
  std::string port_type;  // "in" | "out" | "" (errors, logs)
  std::string port;
  std::string correlation_id;
  std::string message_id;
  Json msg;  // the payload (truncated past the engine's limit) or the error/log entry

  // Appmixer's log record: {severity, componentType, componentId, portType, port,
  // correlationId, gridTimestamp, flowId, userId, msg, id}.
  Json ToJson() const;
};

class InsightsSink {
 public:
  virtual ~InsightsSink() = default;
  virtual void Write(InsightsRecord record) = 0;
};

// Keeps the newest `capacity` records in memory.
class MemoryInsights final : public InsightsSink {
 public:
  explicit MemoryInsights(size_t capacity = 100000);
  ~MemoryInsights() override;
  void Write(InsightsRecord record) override;
  // Oldest first. Filters: empty = any.
  std::vector<InsightsRecord> Query(const std::string& flow_id = {}, const std::string& severity = {}) const;
  size_t size() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace flowkit
