// A host program built against an installed flowkit (find_package(flowkit) → flowkit::flowkit).
// It touches JSON, manifests, modifiers and transforms, so linking it proves that the installed
// static library brings everything it needs. Exits non-zero on any failure.
#include <cstdio>
#include <string>

#include "flowkit/flowkit.h"

namespace {

int Fail(const char* what, const flowkit::Status& status) {
  std::fprintf(stderr, "consumer: %s: %s\n", what, status.ToString().c_str());
  return 1;
}

}  // namespace

int main() {
  std::printf("flowkit library %s (headers %d.%d.%d)\n", flowkit::Version(), FLOWKIT_VERSION_MAJOR,
              FLOWKIT_VERSION_MINOR, FLOWKIT_VERSION_PATCH);

  flowkit::Result<flowkit::Manifest> manifest = flowkit::Manifest::Parse(R"({
    "name": "acme.consumer.core.Echo",
    "inPorts": [{"name": "in", "schema": {"type": "object",
                 "properties": {"greeting": {"type": "string"}}, "required": ["greeting"]}}],
    "outPorts": ["out"]
  })");
  if (!manifest.ok()) return Fail("manifest", manifest.status());
  flowkit::ComponentRegistry components;
  if (flowkit::Status s = components.Register(std::move(manifest).value()); !s.ok()) {
    return Fail("register", s);
  }

  flowkit::ModifierRegistry modifiers;
  if (flowkit::Status s = flowkit::RegisterBuiltinModifiers(modifiers); !s.ok()) {
    return Fail("built-in modifiers", s);
  }
  std::printf("component types: %zu, modifiers: %zu\n", components.size(), modifiers.size());

  flowkit::Result<flowkit::Json> spec = flowkit::Json::Parse(
      R"({"type": "json2new", "lambda": {"greeting": "Hi {{{$.a.out.name}}}"}})");
  if (!spec.ok()) return Fail("transform JSON", spec.status());
  flowkit::Result<flowkit::CompiledTransform> transform =
      flowkit::CompiledTransform::Compile(*spec, modifiers);
  if (!transform.ok()) return Fail("compile", transform.status());

  flowkit::Json payload = flowkit::Json::MakeObject({{"name", "Ada"}});
  flowkit::Json scope =
      flowkit::Json::MakeObject({{"a", flowkit::Json::MakeObject({{"out", payload}})}});
  flowkit::JsonScopeView view(scope);
  flowkit::Result<flowkit::Json> out = transform->Evaluate(payload, view, flowkit::EvalEnv{});
  if (!out.ok()) return Fail("evaluate", out.status());
  std::printf("transformed: %s\n", out->Dump().c_str());
  return out->Get("greeting").StringView() == "Hi Ada" ? 0 : 1;
}
