// `flowkit openapi SPEC.json OUTDIR`: declarative connectors from an OpenAPI 3 document.
#pragma once

#include <iosfwd>
#include <string>

namespace flowkit::cli {

struct OpenApiCommandOptions {
  std::string spec_file;
  std::string out_dir;      // created when missing; generated files are overwritten
  std::string vendor = "openapi";
  std::string service;      // empty: the document's info.title
};

// Writes one connector file per operation and auth.json; prints one line per file and a
// summary to `out`, warnings (operations or parameters left out) to `err`. Returns 0 on
// success, 2 for an unreadable or invalid document or an unwritable directory.
int RunOpenApi(const OpenApiCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace flowkit::cli
