// The errors every documents adapter reports the same way (the conformance suite checks them).
#pragma once

#include <cstdint>
#include <string_view>

#include "flowkit/status.h"

namespace flowkit::store {

// kNotFound: "data store '<id>' not found".
Status StoreNotFound(std::string_view store_id);
// kNotFound: "file '<id>' not found".
Status FileNotFound(std::string_view file_id);
// OK when `size` is within `max_bytes`, else kTooLarge naming the file, its size and the limit.
Status CheckFileSize(std::string_view filename, size_t size, int64_t max_bytes);

}  // namespace flowkit::store
