// Builds zip archives in memory for the XLSX tests.
#pragma once

#include <zip.h>

#include <string>
#include <utility>
#include <vector>

namespace flowkit::components::converters::testing {

// A zip archive (deflated entries) holding `entries` in order: {name, content}.
inline std::string MakeZip(const std::vector<std::pair<std::string, std::string>>& entries) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* archive = zip_source_buffer_create(nullptr, 0, 0, &error);
  zip_source_keep(archive);
  zip_t* zip = zip_open_from_source(archive, ZIP_TRUNCATE, &error);
  for (const auto& [name, content] : entries) {
    zip_source_t* data = zip_source_buffer(zip, content.data(), content.size(), 0);
    zip_file_add(zip, name.c_str(), data, ZIP_FL_ENC_UTF_8);
  }
  zip_close(zip);
  std::string out;
  zip_source_open(archive);
  zip_source_seek(archive, 0, SEEK_END);
  out.resize(static_cast<size_t>(zip_source_tell(archive)));
  zip_source_seek(archive, 0, SEEK_SET);
  zip_source_read(archive, out.data(), out.size());
  zip_source_close(archive);
  zip_source_free(archive);
  zip_error_fini(&error);
  return out;
}

}  // namespace flowkit::components::converters::testing
