// `flowkit validate`: validates manifests and flows and prints one verdict line per file.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace flowkit::cli {

struct ValidateOptions {
  std::vector<std::string> component_dirs;  // --components DIR (Appmixer connector layout)
  std::vector<std::string> files;           // manifests or flows
};

// Prints `OK <file>` or one `ERROR <file>: <pointer>: <reason>` line per error to `out`, and
// warnings to `err`. Returns 0 when every file is valid, 1 otherwise.
int RunValidate(const ValidateOptions& options, std::ostream& out, std::ostream& err);

}  // namespace flowkit::cli
