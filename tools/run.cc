#include "run.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>

#include "flowkit/builtins.h"
#include "flowkit/connectors.h"
#include "flowkit/engine.h"
#include "flowkit/flow.h"
#include "flowkit/insights.h"
#include "flowkit/modifier.h"
#include "flowkit/registry.h"
#include "flowkit/runtime.h"
#include "flowkit/storage.h"

namespace flowkit::cli {
namespace {

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open " + path);
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// Prints every emitted message as it happens and keeps the errors for the summary.
class RunPrinter final : public InsightsSink {
 public:
  explicit RunPrinter(std::ostream& out) : out_(out) {}

  void Write(InsightsRecord r) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (r.severity == "error") {
      errors_.Push(Json::MakeObject({{"component", r.component_id},
                                     {"type", r.component_type},
                                     {"message", r.msg.Get("message").IsString() ? r.msg.Get("message") : r.msg}}));
      return;
    }
    if (r.port_type != "out") return;
    ++messages_;
    Json line = Json::MakeObject(
        {{"component", r.component_id}, {"type", r.component_type}, {"port", r.port}, {"content", r.msg}});
    out_ << line.Dump() << "\n";
    out_.flush();
  }

  void AddError(Json error) {
    std::lock_guard<std::mutex> lock(mu_);
    errors_.Push(std::move(error));
  }
  int64_t messages() {
    std::lock_guard<std::mutex> lock(mu_);
    return messages_;
  }
  Json errors() {
    std::lock_guard<std::mutex> lock(mu_);
    return errors_;
  }

 private:
  std::ostream& out_;
  std::mutex mu_;
  int64_t messages_ = 0;
  Json errors_ = Json::MakeArray();
};

}  // namespace

int RunFlow(const RunOptions& options, std::ostream& out, std::ostream& err) {
  auto components = std::make_shared<ComponentRegistry>();
  auto modifiers = std::make_shared<ModifierRegistry>();
  if (Status s = RegisterBuiltinComponents(*components); !s.ok()) {
    err << "error: " << s.ToString() << "\n";
    return 2;
  }
  if (Status s = RegisterBuiltinModifiers(*modifiers); !s.ok()) {
    err << "error: " << s.ToString() << "\n";
    return 2;
  }
  for (const std::string& dir : options.component_dirs) {
    Diagnostics load;
    if (Result<size_t> n = components->LoadManifestDirectory(dir, &load); !n.ok()) {
      err << "error: --components " << dir << ": " << n.status().message() << "\n";
      return 2;
    }
  }
  for (const std::string& dir : options.connector_dirs) {
    Result<ConnectorSet> connectors = LoadConnectors(dir);
    Status s = connectors.status();
    if (s.ok()) s = RegisterConnectors(*connectors, *components);
    if (!s.ok()) {
      err << "error: --connectors " << dir << ": " << s.message() << "\n";
      return 2;
    }
  }

  Result<std::string> text = ReadFile(options.flow_file);
  if (!text.ok()) {
    err << "error: " << text.status().message() << "\n";
    return 2;
  }
  Diagnostics diags;
  Result<std::shared_ptr<const Flow>> flow = Flow::Parse(*text, *components, *modifiers, &diags);
  for (const Diagnostic& d : diags.items()) {
    err << (d.severity == Diagnostic::Severity::kError ? "error: " : "warning: ") << options.flow_file << ": "
        << d.ToString() << "\n";
  }
  if (!flow.ok()) return 2;

  // --data: the embedded default on disk (LMDB runtime + SQLite documents in one folder); a
  // second run on the same folder resumes a run that did not finish. Otherwise all in memory.
  std::shared_ptr<DocumentStore> documents;
  std::shared_ptr<Runtime> runtime;
  if (!options.data_dir.empty()) {
    LmdbRuntimeOptions runtime_options;
    runtime_options.path = (std::filesystem::path(options.data_dir) / "runtime").string();
    Result<std::unique_ptr<Runtime>> opened = NewLmdbRuntime(runtime_options);
    if (!opened.ok()) {
      err << "error: --data " << options.data_dir << ": " << opened.status().message() << "\n";
      return 2;
    }
    runtime = std::move(opened).value();
    SqliteDocumentOptions doc_options;
    doc_options.path = (std::filesystem::path(options.data_dir) / "documents.db").string();
    doc_options.create_stores_on_first_use = true;
    Result<std::unique_ptr<DocumentStore>> docs = NewSqliteDocumentStore(doc_options);
    if (!docs.ok()) {
      err << "error: --data " << options.data_dir << ": " << docs.status().message() << "\n";
      return 2;
    }
    documents = std::move(docs).value();
  } else {
    MemoryDocumentOptions doc_options;
    doc_options.create_stores_on_first_use = true;  // flows name stores by id; tests pre-create none
    documents = NewMemoryDocumentStore(doc_options);
  }
  for (const std::string& seed : options.seed_files) {
    const size_t eq = seed.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == seed.size()) {
      err << "error: --seed-file expects ID=PATH, got '" << seed << "'\n";
      return 2;
    }
    const std::string path = seed.substr(eq + 1);
    Result<std::string> content = ReadFile(path);
    if (!content.ok()) {
      err << "error: --seed-file " << seed << ": " << content.status().message() << "\n";
      return 2;
    }
    const std::string name = std::filesystem::path(path).filename().string();
    FileStore& files = documents->FilesOf(options.user_id);
    Result<FileInfo> saved = files.Save(name, *content, "text/plain", seed.substr(0, eq));
    if (!saved.ok() && saved.status().code() == StatusCode::kAlreadyExists) {
      saved = files.Replace(seed.substr(0, eq), *content);  // a resumed run on --data
    }
    if (!saved.ok()) {
      err << "error: --seed-file " << seed << ": " << saved.status().message() << "\n";
      return 2;
    }
  }

  auto printer = std::make_shared<RunPrinter>(out);
  EngineOptions engine_options;
  engine_options.components = components;
  engine_options.modifiers = modifiers;
  engine_options.documents = documents;
  engine_options.runtime = runtime;
  engine_options.insights = printer;
  engine_options.insights_level = InsightsLevel::kAll;
  engine_options.insights_max_payload_bytes = SIZE_MAX;  // print messages whole
  Result<std::unique_ptr<Engine>> engine = Engine::Open(std::move(engine_options));
  if (!engine.ok()) {
    err << "error: " << engine.status().ToString() << "\n";
    return 2;
  }
  // On a data dir the flow keeps one id (its own, else the file's name) so a later run finds it.
  std::string wanted_id;
  if (runtime) {
    wanted_id = !(*flow)->flow_id().empty() ? (*flow)->flow_id()
                                            : std::filesystem::path(options.flow_file).stem().string();
  }
  bool resumed = false;
  Result<std::string> flow_id = (*engine)->LoadFlow(*flow, wanted_id, options.user_id);
  if (!flow_id.ok() && flow_id.status().code() == StatusCode::kAlreadyExists && runtime) {
    flow_id = wanted_id;  // restored from the data dir
    Result<FlowStage> stage = (*engine)->Stage(wanted_id);
    resumed = stage.ok() && *stage == FlowStage::kRunning;
    if (resumed) err << "flowkit run: resuming flow " << wanted_id << " from " << options.data_dir << "\n";
  }
  if (!flow_id.ok()) {
    err << "error: " << flow_id.status().message() << "\n";
    return 2;
  }
  bool finished = false;
  if (Status s = resumed ? Status::OK() : (*engine)->StartFlow(*flow_id); !s.ok()) {
    printer->AddError(Json::MakeObject({{"message", s.message()}}));
  } else if (!(*engine)->WaitIdle(static_cast<int64_t>(options.wait_s * 1000),
                                  static_cast<int64_t>(options.timeout_s * 1000))) {
    printer->AddError(Json::MakeObject(
        {{"message", "timed out after " + Json(options.timeout_s).Dump() + " s with work still in flight"}}));
  } else {
    finished = true;
  }
  // A run that did not finish stays running on its data dir, for the next run to resume.
  if (!runtime || finished) (void)(*engine)->StopFlow(*flow_id);
  const size_t dead = (*engine)->DeadLetters().size();

  Json stores = Json::MakeObject();
  DataStore& ds = documents->DataStoresOf(options.user_id);
  if (Result<std::vector<StoreInfo>> list = ds.ListStores(); list.ok()) {
    for (const StoreInfo& info : *list) {
      Json records = Json::MakeObject();
      if (auto found = ds.Find(info.store_id, Json::MakeObject()); found.ok()) {
        for (const StoreRecord& r : *found) records.Set(r.key, r.value);
      }
      stores.Set(info.store_id, std::move(records));
    }
  }
  Json errors = printer->errors();
  Json summary = Json::MakeObject({{"messages", printer->messages()},
                                   {"errors", errors},
                                   {"deadLetters", static_cast<int64_t>(dead)},
                                   {"stores", std::move(stores)}});
  out << Json::MakeObject({{"summary", std::move(summary)}}).Dump() << "\n";
  return errors.empty() && dead == 0 ? 0 : 1;
}

}  // namespace flowkit::cli
