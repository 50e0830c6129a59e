// The flowkit CLI's server commands — login, logout, flow, dead, logs — thin clients of
// flowkitd's REST API. Results go to stdout, errors to stderr; exit 0 on success, 1 on an API
// error (or no login), 2 on a usage error.
#pragma once

#include <iosfwd>
#include <memory>

namespace CLI {
class App;
}

namespace flowkit::cli {

class RemoteCommands {
 public:
  virtual ~RemoteCommands() = default;
  // After `app` parsed the command line: runs the server command that was given and returns
  // true with its exit code in `*exit_code`; false when the command was not one of these.
  virtual bool Run(std::ostream& out, std::ostream& err, int* exit_code) = 0;
};

// Adds the server commands to `app`, which must outlive the returned object.
std::unique_ptr<RemoteCommands> AddRemoteCommands(CLI::App& app);

}  // namespace flowkit::cli
