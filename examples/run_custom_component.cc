// A host program: registers its own component next to the built-ins and runs a flow
// OnStart → Greeter → storage.Set on the in-process engine, then reads the data store.
#include <cstdio>
#include <memory>

#include "flowkit/builtins.h"
#include "flowkit/engine.h"
#include "flowkit/flowkit.h"
#include "greeter/greeter.h"

int main() {
  auto components = std::make_shared<flowkit::ComponentRegistry>();
  auto modifiers = std::make_shared<flowkit::ModifierRegistry>();
  if (!flowkit::RegisterBuiltinComponents(*components).ok() || !acme::RegisterGreeter(*components).ok() ||
      !flowkit::RegisterBuiltinModifiers(*modifiers).ok()) {
    std::fprintf(stderr, "registration failed\n");
    return 1;
  }
  const char* flow_text = R"({"name": "Greet Ada", "flow": {
    "start": {"type": "appmixer.utils.controls.OnStart"},
    "greet": {"type": "acme.demo.core.Greeter", "source": {"in": {"start": ["out"]}},
              "config": {"transform": {"in": {"start": {"out": {"lambda": {"name": "Ada"}}}}}}},
    "save": {"type": "appmixer.utils.storage.Set", "source": {"in": {"greet": ["out"]}},
             "config": {"transform": {"in": {"greet": {"out": {"lambda": {
               "storeId": "greetings", "key": "last", "value": "{{{$.greet.out.greeting}}}"}}}}}}}
  }})";
  auto flow = flowkit::Flow::Parse(flow_text, *components, *modifiers);
  if (!flow.ok()) {
    std::fprintf(stderr, "%s\n", flow.status().ToString().c_str());
    return 1;
  }
  flowkit::MemoryDocumentOptions doc_options;
  doc_options.create_stores_on_first_use = true;
  std::shared_ptr<flowkit::DocumentStore> documents = flowkit::NewMemoryDocumentStore(doc_options);
  flowkit::EngineOptions options;
  options.components = components;
  options.modifiers = modifiers;
  options.documents = documents;
  auto engine = flowkit::Engine::Open(std::move(options));
  if (!engine.ok()) return 1;
  auto id = (*engine)->LoadFlow(*flow, "greet-flow", "host-user");
  if (!id.ok() || !(*engine)->StartFlow(*id).ok() || !(*engine)->WaitIdle(100, 10000)) {
    std::fprintf(stderr, "the flow did not run\n");
    return 1;
  }
  auto record = documents->DataStoresOf("host-user").Get("greetings", "last");
  if (!record.ok() || !record->has_value() || (**record).value.AsString() != "Hello, Ada!") {
    std::fprintf(stderr, "unexpected store content\n");
    return 1;
  }
  std::printf("stored: %s\n", (**record).value.Dump().c_str());
  return 0;
}
