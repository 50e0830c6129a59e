#include "store/errors.h"

#include <string>

namespace flowkit::store {

Status StoreNotFound(std::string_view store_id) {
  return Status::NotFound("data store '" + std::string(store_id) + "' not found");
}

Status FileNotFound(std::string_view file_id) {
  return Status::NotFound("file '" + std::string(file_id) + "' not found");
}

Status CheckFileSize(std::string_view filename, size_t size, int64_t max_bytes) {
  if (static_cast<int64_t>(size) <= max_bytes) return Status::OK();
  return Status::TooLarge("file '" + std::string(filename) + "' is " + std::to_string(size) +
                          " bytes; the limit is " + std::to_string(max_bytes) + " bytes");
}

}  // namespace flowkit::store
