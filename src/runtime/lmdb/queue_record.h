// How the LMDB runtime stores one queued work item under its id in the `queue` database:
//
//   varint32 flow_id length | flow_id bytes | visible_at_ms (8 bytes, little-endian) | body
//
// The flow id comes first so an ack or a replace can find the per-flow index entry to remove
// without decoding the rest; the body takes the remaining bytes (no length of its own).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "flowkit/runtime.h"

namespace flowkit::runtime {

// The exact number of bytes EncodeQueueRecord writes for `work`.
size_t QueueRecordSize(const QueuedWork& work);

// Writes `work` (all but its id, which is the key) to `out`.
// REQUIRES: `out` has room for QueueRecordSize(work) bytes.
void EncodeQueueRecord(const QueuedWork& work, char* out);

// Fills `work` (all but its id) from a stored record; false when the record is malformed.
bool DecodeQueueRecord(std::string_view record, QueuedWork& work);

// The flow id of a stored record without copying the rest; false when malformed.
bool DecodeQueueRecordFlow(std::string_view record, std::string_view& flow_id);

}  // namespace flowkit::runtime
