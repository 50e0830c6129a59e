// Appmixer shapes of the storage value types (shared by every adapter). uploadDate is the time
// the current content was written: a Replace uploads anew, as GridFS does.
#include "flowkit/storage.h"

#include "util/js.h"

namespace flowkit {

Json StoreRecord::ToJson() const {
  return Json::MakeObject({{"key", key},
                           {"value", value},
                           {"storeId", store_id},
                           {"createdAt", js::FormatIso(created_ms)},
                           {"updatedAt", js::FormatIso(updated_ms)}});
}

Json FileInfo::ToJson() const {
  return Json::MakeObject({{"fileId", file_id},
                           {"filename", filename},
                           {"length", length},
                           {"contentType", content_type},
                           {"uploadDate", js::FormatIso(updated_ms)},
                           {"metadata", archived ? Json::MakeObject({{"fileId", file_id}, {"archived", true}})
                                                 : Json::MakeObject({{"fileId", file_id}})}});
}

}  // namespace flowkit
