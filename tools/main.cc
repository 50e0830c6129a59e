// The flowkit command-line tool.
#include <CLI/CLI.hpp>

#include <iostream>
#include <string>
#include <vector>

#include "flowkit/version.h"
#include "validate.h"

int main(int argc, char** argv) {
  CLI::App app{"flowkit — run and check Appmixer-format automation flows", "flowkit"};
  app.set_version_flag("--version", std::string("flowkit ") + flowkit::Version());
  app.require_subcommand(1);

  flowkit::cli::ValidateOptions validate;
  CLI::App* validate_cmd = app.add_subcommand(
      "validate", "Validate component manifests (component.json) and flows (objects with `flow`)");
  validate_cmd->add_option("--components", validate.component_dirs,
                           "Load every component.json below DIR as a known component type")
      ->type_name("DIR")
      ->check(CLI::ExistingDirectory);
  validate_cmd->add_option("files", validate.files, "Manifest or flow files")->required()->type_name("FILE");

  CLI11_PARSE(app, argc, argv);

  if (validate_cmd->parsed()) return flowkit::cli::RunValidate(validate, std::cout, std::cerr);
  return 2;
}
