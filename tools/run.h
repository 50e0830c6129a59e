// `flowkit run`: runs one flow on the embedded engine and prints what it did.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace flowkit::cli {

struct RunOptions {
  std::string flow_file;
  double timeout_s = 60;  // give up after this long
  double wait_s = 5;      // idle = nothing in flight and no timer due within this long
  std::vector<std::string> seed_files;      // ID=PATH
  std::vector<std::string> component_dirs;  // extra manifests (validation only)
  std::vector<std::string> connector_dirs;  // declarative connectors (runnable)
  std::string data_dir;                     // durable data dir: LMDB runtime + SQLite documents
  std::string user_id = "local";
};

// Prints one JSON line per emitted message and a final summary line to `out`; diagnostics to
// `err`. Returns 0 when the run had no error and no dead letter, 1 otherwise, 2 for bad input.
int RunFlow(const RunOptions& options, std::ostream& out, std::ostream& err);

}  // namespace flowkit::cli
