#include "runtime/lmdb/queue_record.h"

#include <cstring>

namespace flowkit::runtime {
namespace {

constexpr size_t kTimeBytes = 8;

size_t VarintSize(uint32_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

}  // namespace

size_t QueueRecordSize(const QueuedWork& work) {
  return VarintSize(static_cast<uint32_t>(work.flow_id.size())) + work.flow_id.size() + kTimeBytes +
         work.body.size();
}

void EncodeQueueRecord(const QueuedWork& work, char* out) {
  auto len = static_cast<uint32_t>(work.flow_id.size());
  while (len >= 0x80) {
    *out++ = static_cast<char>((len & 0x7f) | 0x80);
    len >>= 7;
  }
  *out++ = static_cast<char>(len);
  std::memcpy(out, work.flow_id.data(), work.flow_id.size());
  out += work.flow_id.size();
  auto at = static_cast<uint64_t>(work.visible_at_ms);
  for (size_t i = 0; i < kTimeBytes; ++i) out[i] = static_cast<char>((at >> (8 * i)) & 0xff);
  out += kTimeBytes;
  std::memcpy(out, work.body.data(), work.body.size());
}

bool DecodeQueueRecordFlow(std::string_view record, std::string_view& flow_id) {
  uint32_t len = 0;
  size_t pos = 0;
  for (int shift = 0;; shift += 7) {
    if (pos == record.size() || shift > 28) return false;
    auto byte = static_cast<uint8_t>(record[pos++]);
    len |= static_cast<uint32_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) break;
  }
  if (record.size() - pos < size_t{len} + kTimeBytes) return false;
  flow_id = record.substr(pos, len);
  return true;
}

bool DecodeQueueRecord(std::string_view record, QueuedWork& work) {
  std::string_view flow_id;
  if (!DecodeQueueRecordFlow(record, flow_id)) return false;
  size_t pos = static_cast<size_t>(flow_id.data() - record.data()) + flow_id.size();
  uint64_t at = 0;
  for (size_t i = 0; i < kTimeBytes; ++i)
    at |= uint64_t{static_cast<uint8_t>(record[pos + i])} << (8 * i);
  work.flow_id.assign(flow_id);
  work.visible_at_ms = static_cast<int64_t>(at);
  work.body.assign(record.substr(pos + kTimeBytes));
  return true;
}

}  // namespace flowkit::runtime
