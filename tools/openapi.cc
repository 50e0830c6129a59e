#include "openapi.h"

#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>

#include "connectors/openapi.h"
#include "flowkit/json.h"

namespace flowkit::cli {

int RunOpenApi(const OpenApiCommandOptions& options, std::ostream& out, std::ostream& err) {
  std::ifstream in(options.spec_file, std::ios::binary);
  if (!in) {
    err << "error: " << options.spec_file << ": cannot be read\n";
    return 2;
  }
  std::stringstream text;
  text << in.rdbuf();
  Result<Json> spec = Json::Parse(text.str());
  if (!spec.ok()) {
    err << "error: " << options.spec_file << ": " << spec.status().message()
        << " (only JSON OpenAPI documents are read)\n";
    return 2;
  }
  connectors::OpenApiOptions generate{.vendor = options.vendor, .service = options.service};
  Result<connectors::OpenApiConnectors> generated = connectors::GenerateOpenApiConnectors(*spec, generate);
  if (!generated.ok()) {
    err << "error: " << options.spec_file << ": " << generated.status().message() << "\n";
    return 2;
  }
  for (const std::string& warning : generated->warnings) err << "warning: " << options.spec_file << ": " << warning << "\n";

  std::error_code ec;
  std::filesystem::create_directories(options.out_dir, ec);
  if (ec) {
    err << "error: " << options.out_dir << ": " << ec.message() << "\n";
    return 2;
  }
  size_t components = 0;
  std::string service;
  for (const connectors::GeneratedFile& file : generated->files) {
    std::filesystem::path path = std::filesystem::path(options.out_dir) / file.path;
    std::ofstream o(path, std::ios::binary | std::ios::trunc);
    o << file.doc.DumpPretty() << "\n";
    o.close();
    if (!o) {
      err << "error: " << path.string() << ": cannot be written\n";
      return 2;
    }
    if (file.doc.Contains("manifest")) {
      ++components;
      out << "wrote " << path.string() << " (" << file.doc["manifest"]["name"].AsString() << ")\n";
    } else {
      service = file.doc["service"].AsString() + " (" + file.doc["type"].AsString() + ")";
      out << "wrote " << path.string() << " (auth of " << service << ")\n";
    }
  }
  out << components << " connector" << (components == 1 ? "" : "s") << ", "
      << (service.empty() ? "no auth" : "auth " + service) << ", " << generated->warnings.size() << " warning"
      << (generated->warnings.size() == 1 ? "" : "s") << "\n";
  return 0;
}

}  // namespace flowkit::cli
