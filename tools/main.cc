// The flowkit command-line tool.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "flowkit/version.h"
#include "openapi.h"
#include "remote.h"
#include "run.h"
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
      ->check(CLI::ExistingDirectory)
      ->allow_extra_args(false);
  validate_cmd->add_option("files", validate.files, "Manifest or flow files")->required()->type_name("FILE");

  flowkit::cli::RunOptions run;
  CLI::App* run_cmd = app.add_subcommand("run", "Run a flow on the embedded engine and print what it emits");
  run_cmd->add_option("flow", run.flow_file, "Flow file (an object with `flow`)")->required()->type_name("FLOW.json");
  run_cmd->add_option("--timeout", run.timeout_s, "Give up after S seconds (default 60)")->type_name("S");
  run_cmd->add_option("--wait", run.wait_s, "Stop once idle with no timer due within S seconds (default 5)")
      ->type_name("S");
  run_cmd->add_option("--seed-file", run.seed_files, "Pre-load file PATH under id ID")
      ->type_name("ID=PATH")
      ->allow_extra_args(false);
  run_cmd->add_option("--data", run.data_dir, "Durable data directory")->type_name("DIR");
  run_cmd->add_option("--components", run.component_dirs, "Extra component manifests")
      ->type_name("DIR")
      ->allow_extra_args(false);
  run_cmd->add_option("--connectors", run.connector_dirs, "Declarative connectors (JSON components) to run")
      ->type_name("DIR")
      ->allow_extra_args(false);
  run_cmd->add_option("--user", run.user_id, "User id owning the run's data (default local)");

  flowkit::cli::OpenApiCommandOptions openapi;
  CLI::App* openapi_cmd = app.add_subcommand(
      "openapi", "Generate declarative connectors (one per operation) from an OpenAPI 3 JSON document");
  openapi_cmd->add_option("spec", openapi.spec_file, "OpenAPI 3.0/3.1 document (JSON)")->required()->type_name("SPEC.json");
  openapi_cmd->add_option("outdir", openapi.out_dir, "Directory to write the connectors to")->required()->type_name("OUTDIR");
  openapi_cmd->add_option("--vendor", openapi.vendor, "Vendor part of the component names (default openapi)");
  openapi_cmd->add_option("--service", openapi.service, "Service part of the names (default: info.title)");

  std::unique_ptr<flowkit::cli::RemoteCommands> remote = flowkit::cli::AddRemoteCommands(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help, the version or the usage error
    return code == 0 ? 0 : 2;
  }

  if (validate_cmd->parsed()) return flowkit::cli::RunValidate(validate, std::cout, std::cerr);
  if (run_cmd->parsed()) return flowkit::cli::RunFlow(run, std::cout, std::cerr);
  if (openapi_cmd->parsed()) return flowkit::cli::RunOpenApi(openapi, std::cout, std::cerr);
  if (int code = 0; remote->Run(std::cout, std::cerr, &code)) return code;
  return 2;
}
