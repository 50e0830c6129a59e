// CompiledTransform: json2new lambdas compiled once into a small tree, evaluated per message.
//
// Compilation resolves everything that does not depend on the message: placeholders become
// indices into a table of modifier chains, variable paths are parsed, modifier functions are
// looked up (and copied, so the registry need not outlive the transform), and constant
// subtrees and constant modifier arguments are prebuilt. Evaluation then only walks the tree.
#include "flowkit/transform.h"

#include <charconv>
#include <cstddef>
#include <exception>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "util/number_format.h"

namespace flowkit {
namespace transform_internal {

constexpr std::string_view kOpen = "{{{";
constexpr std::string_view kClose = "}}}";
constexpr int kUndefinedChain = -1;  // a placeholder that names nothing: evaluates to undefined

struct Member;
struct Slot;

struct Node {
  enum class Kind : uint8_t { kLiteral, kChain, kConcat, kObject, kArray };
  struct Part {
    std::string text;  // literal text when chain is unset
    int chain = kUndefinedChain;
    bool is_placeholder = false;
  };

  Kind kind = Kind::kLiteral;
  int chain = kUndefinedChain;  // kChain
  // kLiteral: the value. kObject / kArray: a skeleton holding the constant members or elements
  // in place and undefined in each slot; evaluation copies it in one go and fills the slots,
  // which is cheaper than building the container member by member.
  Json literal;
  std::vector<Part> parts;  // kConcat
  std::vector<Slot> slots;  // kObject / kArray, by ascending position
};

struct Slot {
  size_t position;
  Node value;
};

struct Member {
  std::string key;
  Node value;
};

struct Call {
  std::string name;
  ModifierFunction fn;
  std::vector<Node> params;
  std::vector<Member> hash;
  // Set when no argument holds a placeholder (nearly always): the arguments are built once.
  bool constant_args = true;
  std::vector<Json> const_params;
  JsonObject const_hash;
};

struct Chain {
  std::string id;     // the modifier uuid, or the inline variable text
  std::string field;  // the lambda field the chain belongs to (for error messages)
  int variable = -1;  // index into Impl::variables; -1 = the chain starts from undefined
  std::vector<Call> calls;
};

using ChainMap = std::unordered_map<std::string, int>;

}  // namespace transform_internal

using transform_internal::Call;
using transform_internal::Chain;
using transform_internal::ChainMap;
using transform_internal::kClose;
using transform_internal::kOpen;
using transform_internal::kUndefinedChain;
using transform_internal::Member;
using transform_internal::Node;
using transform_internal::Slot;

struct CompiledTransform::Impl {
  bool identity = false;
  Node root;
  std::vector<Chain> chains;
  std::vector<VariableRef> variables;
};

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string Quote(std::string_view s) {
  std::string out = "'";
  out.append(s);
  out.push_back('\'');
  return out;
}

class Compiler {
 public:
  Compiler(const ModifierRegistry& registry, Diagnostics* diags, CompiledTransform::Impl* impl)
      : registry_(registry), diags_(*diags), impl_(*impl) {}

  // Top level `modifiers`: {<lambdaField>: {<uuid>: chain}}.
  void CompileFieldModifiers(const Json& modifiers, const std::string& pointer, ChainMap* map) {
    for (const JsonMember& field : modifiers.object()) {
      std::string field_ptr = JsonPointerAppend(pointer, field.key);
      if (!field.value.IsObject()) {
        diags_.Error(field_ptr, "modifiers of field " + Quote(field.key) + " must be an object");
        continue;
      }
      for (const JsonMember& entry : field.value.object()) {
        AddChain(entry.key, field.key, entry.value, JsonPointerAppend(field_ptr, entry.key), map);
      }
    }
  }

  Node CompileTemplate(const Json& value, const ChainMap& map, const std::string& pointer) {
    Node node;
    switch (value.type()) {
      case Json::Type::kString:
        return CompileString(value.StringView(), map, pointer);
      case Json::Type::kObject: {
        node.kind = Node::Kind::kObject;
        node.literal = Json::MakeObject();
        JsonObject& skeleton = node.literal.MutableObject();
        skeleton.Reserve(value.size());
        for (const JsonMember& m : value.object()) {
          Node child = CompileTemplate(m.value, map, JsonPointerAppend(pointer, m.key));
          if (child.kind == Node::Kind::kLiteral) {
            skeleton.Append(m.key, std::move(child.literal));
          } else {
            skeleton.Append(m.key, Json::Undefined());
            node.slots.push_back(Slot{skeleton.size() - 1, std::move(child)});
          }
        }
        if (node.slots.empty()) return Literal(value);
        return node;
      }
      case Json::Type::kArray: {
        node.kind = Node::Kind::kArray;
        node.literal = Json::MakeArray();
        Json::Array& skeleton = node.literal.MutableArray();
        skeleton.reserve(value.size());
        for (size_t i = 0; i < value.size(); ++i) {
          Node child = CompileTemplate(value.At(i), map, JsonPointerAppend(pointer, i));
          if (child.kind == Node::Kind::kLiteral) {
            skeleton.push_back(std::move(child.literal));
          } else {
            skeleton.push_back(Json::Undefined());
            node.slots.push_back(Slot{i, std::move(child)});
          }
        }
        if (node.slots.empty()) return Literal(value);
        return node;
      }
      default:
        return Literal(value);
    }
  }

 private:
  static Node Literal(const Json& value) {
    Node node;
    node.kind = Node::Kind::kLiteral;
    node.literal = value;
    return node;
  }

  // Compiles one chain and records it under `id` (the first entry wins on duplicates).
  void AddChain(const std::string& id, const std::string& field, const Json& spec,
                const std::string& pointer, ChainMap* map) {
    int index = CompileChain(id, field, spec, pointer);
    if (index >= 0) map->emplace(id, index);
  }

  int CompileChain(const std::string& id, const std::string& field, const Json& spec,
                   const std::string& pointer) {
    if (!spec.IsObject()) {
      diags_.Error(pointer, "modifier entry must be an object {variable?, functions}");
      return -1;
    }
    Chain chain;
    chain.id = id;
    chain.field = field;
    if (const Json* variable = spec.Find("variable"); variable != nullptr) {
      std::string var_ptr = JsonPointerAppend(pointer, "variable");
      if (!variable->IsString()) {
        diags_.Error(var_ptr, "variable must be a string '$.<componentId>.<port>[.<path>]'");
      } else {
        chain.variable = AddVariable(variable->StringView(), var_ptr);
      }
    }
    if (const Json* functions = spec.Find("functions"); functions != nullptr) {
      std::string fns_ptr = JsonPointerAppend(pointer, "functions");
      if (!functions->IsArray()) {
        diags_.Error(fns_ptr, "'functions' must be an array");
      } else {
        for (size_t i = 0; i < functions->size(); ++i) {
          CompileCall(functions->At(i), JsonPointerAppend(fns_ptr, i), &chain);
        }
      }
    }
    impl_.chains.push_back(std::move(chain));
    return static_cast<int>(impl_.chains.size() - 1);
  }

  int AddVariable(std::string_view text, const std::string& pointer) {
    Result<VariableRef> ref = VariableRef::Parse(text);
    if (!ref.ok()) {
      diags_.Error(pointer, ref.status().message());
      return -1;
    }
    impl_.variables.push_back(std::move(ref).value());
    return static_cast<int>(impl_.variables.size() - 1);
  }

  void CompileCall(const Json& fn, const std::string& pointer, Chain* chain) {
    const Json* name = fn.Find("name");
    if (name == nullptr || !name->IsString()) {
      diags_.Error(pointer, "modifier function must be an object with a string 'name'");
      return;
    }
    const ModifierRegistry::Entry* entry = registry_.Find(name->StringView());
    if (entry == nullptr) {
      diags_.Error(JsonPointerAppend(pointer, "name"),
                   "unknown modifier " + Quote(name->StringView()));
      return;
    }
    Call call;
    call.name = entry->info.name;
    call.fn = entry->fn;
    if (const Json* params = fn.Find("params"); params != nullptr && !params->IsNull()) {
      std::string params_ptr = JsonPointerAppend(pointer, "params");
      if (!params->IsArray()) {
        diags_.Error(params_ptr, "'params' must be an array of {value, modifiers?}");
      } else {
        for (size_t i = 0; i < params->size(); ++i) {
          call.params.push_back(CompileParam(params->At(i), JsonPointerAppend(params_ptr, i)));
        }
      }
    }
    if (const Json* hash = fn.Find("hashParams"); hash != nullptr && !hash->IsNull()) {
      std::string hash_ptr = JsonPointerAppend(pointer, "hashParams");
      if (!hash->IsObject()) {
        diags_.Error(hash_ptr, "'hashParams' must be an object of {value, modifiers?}");
      } else {
        for (const JsonMember& m : hash->object()) {
          call.hash.push_back(
              Member{m.key, CompileParam(m.value, JsonPointerAppend(hash_ptr, m.key))});
        }
      }
    }
    for (const Node& p : call.params) call.constant_args &= p.kind == Node::Kind::kLiteral;
    for (const Member& m : call.hash) call.constant_args &= m.value.kind == Node::Kind::kLiteral;
    if (call.constant_args) {
      for (const Node& p : call.params) call.const_params.push_back(p.literal);
      for (const Member& m : call.hash) {
        if (!m.value.literal.IsUndefined()) call.const_hash.Append(m.key, m.value.literal);
      }
    }
    chain->calls.push_back(std::move(call));
  }

  // A parameter {value, modifiers?}: the value is a mini-lambda whose placeholders resolve
  // through the parameter's own modifiers. A bare value (not an object with `value`) is taken
  // as the value itself, which is what a hand-written flow most likely means.
  Node CompileParam(const Json& param, const std::string& pointer) {
    if (!param.IsObject() || !param.Contains("value")) {
      if (param.IsObject() && param.Contains("modifiers")) return Literal(Json::Undefined());
      return Literal(param);
    }
    ChainMap own;
    if (const Json* mods = param.Find("modifiers"); mods != nullptr) {
      std::string mods_ptr = JsonPointerAppend(pointer, "modifiers");
      if (!mods->IsObject()) {
        diags_.Error(mods_ptr, "'modifiers' must be an object");
      } else {
        CompileParamModifiers(*mods, mods_ptr, &own);
      }
    }
    return CompileTemplate(param.Get("value"), own, JsonPointerAppend(pointer, "value"));
  }

  // Parameter modifiers come either as {<uuid>: chain} or, like the top level, as
  // {<field>: {<uuid>: chain}}; a chain is recognised by its `functions` / `variable` members.
  void CompileParamModifiers(const Json& mods, const std::string& pointer, ChainMap* map) {
    for (const JsonMember& m : mods.object()) {
      std::string ptr = JsonPointerAppend(pointer, m.key);
      if (!m.value.IsObject()) {
        diags_.Error(ptr, "modifier entry must be an object");
        continue;
      }
      const Json* fns = m.value.Find("functions");
      const Json* var = m.value.Find("variable");
      if ((fns != nullptr && fns->IsArray()) || (var != nullptr && var->IsString())) {
        AddChain(m.key, "", m.value, ptr, map);
      } else {
        for (const JsonMember& entry : m.value.object()) {
          AddChain(entry.key, m.key, entry.value, JsonPointerAppend(ptr, entry.key), map);
        }
      }
    }
  }

  // The chain index for a placeholder's content, or kUndefinedChain.
  int ResolvePlaceholder(std::string_view name, const ChainMap& map, const std::string& pointer) {
    if (auto it = map.find(std::string(name)); it != map.end()) return it->second;
    if (name.starts_with("$.")) {
      auto known = inline_.find(std::string(name));
      if (known != inline_.end()) return known->second;
      int variable = AddVariable(name, pointer);
      if (variable < 0) return kUndefinedChain;
      Chain chain;
      chain.id.assign(name);
      chain.variable = variable;
      impl_.chains.push_back(std::move(chain));
      int index = static_cast<int>(impl_.chains.size() - 1);
      inline_.emplace(std::string(name), index);
      return index;
    }
    diags_.Warning(pointer, "placeholder '{{{" + std::string(name) +
                                "}}}' has no modifier entry and is not a '$.' variable; it "
                                "evaluates to undefined");
    return kUndefinedChain;
  }

  Node CompileString(std::string_view s, const ChainMap& map, const std::string& pointer) {
    Node node;
    size_t pos = 0;
    while (pos < s.size()) {
      size_t open = s.find(kOpen, pos);
      size_t close = open == std::string_view::npos ? open : s.find(kClose, open + kOpen.size());
      if (close == std::string_view::npos) break;  // no (complete) placeholder left: literal
      if (open > pos) node.parts.push_back({std::string(s.substr(pos, open - pos))});
      std::string_view name = Trim(s.substr(open + kOpen.size(), close - open - kOpen.size()));
      Node::Part part;
      part.is_placeholder = true;
      part.chain = ResolvePlaceholder(name, map, pointer);
      node.parts.push_back(std::move(part));
      pos = close + kClose.size();
    }
    if (node.parts.empty()) return Literal(Json(s));
    if (pos < s.size()) node.parts.push_back({std::string(s.substr(pos))});
    if (node.parts.size() == 1) {
      // Exactly one placeholder: the value keeps its type.
      node.kind = Node::Kind::kChain;
      node.chain = node.parts[0].chain;
      node.parts.clear();
      return node;
    }
    node.kind = Node::Kind::kConcat;
    return node;
  }

  const ModifierRegistry& registry_;
  Diagnostics& diags_;
  CompiledTransform::Impl& impl_;
  ChainMap inline_;  // inline `$.` variables already compiled, shared by identical placeholders
};

// Per-evaluation state; the first error stops further work.
struct EvalState {
  const CompiledTransform::Impl& impl;
  const ScopeView& scope;
  const EvalEnv& env;
  Status status;
};

Json EvalNode(const Node& node, EvalState& st);

// Returns the chain's value: a reference into the scope when no function ran (no copy), else
// into `*storage`.
const Json& EvalChain(int index, EvalState& st, Json* storage) {
  if (index == kUndefinedChain) {
    *storage = Json::Undefined();
    return *storage;
  }
  const Chain& chain = st.impl.chains[static_cast<size_t>(index)];
  const Json* cur = nullptr;
  if (chain.variable >= 0) {
    const VariableRef& var = st.impl.variables[static_cast<size_t>(chain.variable)];
    if (const Json* port = st.scope.Find(var.component_id, var.port); port != nullptr) {
      cur = var.Resolve(*port);
    }
  }
  if (cur == nullptr) {
    *storage = Json::Undefined();
    cur = storage;
  }
  std::vector<Json> params;
  JsonObject hash;
  for (const Call& call : chain.calls) {
    std::span<const Json> args(call.const_params);
    const JsonObject* hash_args = &call.const_hash;
    if (!call.constant_args) {
      params.clear();
      hash.Clear();
      for (const Node& p : call.params) params.push_back(EvalNode(p, st));
      for (const Member& m : call.hash) {
        Json v = EvalNode(m.value, st);
        if (!v.IsUndefined()) hash.Append(m.key, std::move(v));
      }
      if (!st.status.ok()) break;
      args = params;
      hash_args = &hash;
    }
    // Host modifiers are user code; an exception must not cross Evaluate.
    auto invoke = [&]() -> Result<Json> {
      try {
        return call.fn(ModifierCall{*cur, args, *hash_args, st.env});
      } catch (const std::exception& e) {
        return Status::Internal(std::string("threw an exception: ") + e.what());
      } catch (...) {
        return Status::Internal("threw an exception");
      }
    };
    Result<Json> result = invoke();
    if (!result.ok()) {
      const Status& s = result.status();
      std::string where =
          chain.field.empty() ? "modifier " + Quote(chain.id) : "field " + Quote(chain.field);
      st.status = Status(
          s.code() == StatusCode::kInternal ? StatusCode::kInternal : StatusCode::kInvalidArgument,
          where + ": modifier " + Quote(call.name) + " failed: " + s.message());
      *storage = Json::Undefined();
      return *storage;
    }
    // The call has returned, so overwriting the value it read (when cur == storage) is safe.
    *storage = std::move(result).value();
    cur = storage;
  }
  return *cur;
}

// Text of a value inside a mixed string. Strings, numbers and booleans read as JavaScript's
// String() would; undefined and null give "" as Handlebars' {{{x}}} does. Objects and arrays
// are written as JSON text: String() would give "[object Object]" / "a,b", which no flow author
// wants in a message body or query (e.g. 'id in ({{{ids}}})' with an array still reads well).
void AppendText(const Json& v, std::string* out) {
  switch (v.type()) {
    case Json::Type::kUndefined:
    case Json::Type::kNull:
      return;
    case Json::Type::kBool:
      out->append(v.AsBool() ? "true" : "false");
      return;
    case Json::Type::kNumber:
      if (v.IsInteger()) {
        char buf[24];
        auto r = std::to_chars(buf, buf + sizeof buf, v.AsInt());
        out->append(buf, r.ptr);
      } else {
        internal::AppendJsNumber(v.AsDouble(), out);
      }
      return;
    case Json::Type::kString:
      out->append(v.StringView());
      return;
    case Json::Type::kArray:
    case Json::Type::kObject:
      v.DumpTo(out);
      return;
  }
}

Json EvalNode(const Node& node, EvalState& st) {
  switch (node.kind) {
    case Node::Kind::kLiteral:
      return node.literal;
    case Node::Kind::kChain: {
      Json storage;
      const Json& v = EvalChain(node.chain, st, &storage);
      if (&v == &storage) return storage;  // implicitly moved
      return v;
    }
    case Node::Kind::kConcat: {
      std::string text;
      Json storage;
      for (const Node::Part& part : node.parts) {
        if (!part.is_placeholder) {
          text.append(part.text);
        } else {
          AppendText(EvalChain(part.chain, st, &storage), &text);
        }
      }
      return Json(std::move(text));
    }
    case Node::Kind::kObject: {
      Json out = node.literal;
      auto members = out.MutableObject().begin();
      bool omitted = false;
      for (const Slot& slot : node.slots) {
        Json& value = members[static_cast<std::ptrdiff_t>(slot.position)].value;
        value = EvalNode(slot.value, st);
        if (!st.status.ok()) break;
        omitted = omitted || value.IsUndefined();
      }
      if (omitted) {
        // Members whose value is undefined are left out, as JSON.stringify would.
        JsonObject kept;
        kept.Reserve(out.size());
        for (JsonMember& m : out.MutableObject()) {
          if (!m.value.IsUndefined()) kept.Append(std::move(m.key), std::move(m.value));
        }
        return Json(std::move(kept));
      }
      return out;
    }
    case Node::Kind::kArray: {
      Json out = node.literal;
      Json::Array& elements = out.MutableArray();
      for (const Slot& slot : node.slots) {
        elements[slot.position] = EvalNode(slot.value, st);
        if (!st.status.ok()) break;
      }
      return out;
    }
  }
  return Json::Undefined();
}

const std::shared_ptr<const CompiledTransform::Impl>& IdentityImpl() {
  static const auto* impl = [] {
    auto i = std::make_shared<CompiledTransform::Impl>();
    i->identity = true;
    return new std::shared_ptr<const CompiledTransform::Impl>(std::move(i));
  }();
  return *impl;
}

}  // namespace

CompiledTransform::CompiledTransform(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
CompiledTransform::~CompiledTransform() = default;

CompiledTransform CompiledTransform::Identity() { return CompiledTransform(IdentityImpl()); }

Result<CompiledTransform> CompiledTransform::Compile(const Json& spec,
                                                     const ModifierRegistry& modifiers,
                                                     Diagnostics* diagnostics,
                                                     std::string_view pointer) {
  Diagnostics local;
  auto impl = std::make_shared<Impl>();
  const std::string base(pointer);
  if (!spec.IsObject()) {
    local.Error(base, "transform must be an object {type?, lambda, modifiers?}");
  } else {
    if (const Json* type = spec.Find("type"); type != nullptr && type->StringView() != "json2new") {
      local.Error(JsonPointerAppend(base, "type"),
                  "unsupported transform type " +
                      (type->IsString() ? Quote(type->StringView()) : type->Dump()) +
                      " (only 'json2new' is known)");
    }
    Compiler compiler(modifiers, &local, impl.get());
    ChainMap chains;
    if (const Json* mods = spec.Find("modifiers"); mods != nullptr) {
      std::string mods_ptr = JsonPointerAppend(base, "modifiers");
      if (!mods->IsObject()) {
        local.Error(mods_ptr, "'modifiers' must be an object {<field>: {<uuid>: modifier}}");
      } else {
        compiler.CompileFieldModifiers(*mods, mods_ptr, &chains);
      }
    }
    if (const Json* lambda = spec.Find("lambda"); lambda != nullptr) {
      impl->root = compiler.CompileTemplate(*lambda, chains, JsonPointerAppend(base, "lambda"));
    } else {
      impl->identity = true;
    }
  }
  if (diagnostics != nullptr) diagnostics->Append(local);
  if (local.has_errors()) return local.ToStatus();
  return CompiledTransform(std::move(impl));
}

bool CompiledTransform::is_identity() const noexcept { return impl_->identity; }

const std::vector<VariableRef>& CompiledTransform::variables() const noexcept {
  return impl_->variables;
}

Result<Json> CompiledTransform::Evaluate(const Json& payload, const ScopeView& scope,
                                         const EvalEnv& env) const {
  if (impl_->identity) return payload;
  EvalState st{*impl_, scope, env, Status::OK()};
  Json out = EvalNode(impl_->root, st);
  if (!st.status.ok()) return std::move(st.status);
  return out;
}

}  // namespace flowkit
