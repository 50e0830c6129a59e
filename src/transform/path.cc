// Variable references ($.<componentId>.<port>[.<path>]) and the Json-backed scope view.
#include <string>
#include <string_view>

#include "flowkit/transform.h"

namespace flowkit {
namespace {

// Error positions are 0-based character offsets into the whole variable text, like the byte
// offsets Json::Parse reports.
Status PathError(std::string_view text, std::string_view problem, size_t pos) {
  std::string msg = "variable '";
  msg.append(text);
  msg.append("': ");
  msg.append(problem);
  msg.append(" at ");
  msg.append(std::to_string(pos));
  return Status::InvalidArgument(std::move(msg));
}

// A canonical array index: digits only, no leading zero (lodash treats "01" as a key).
bool ParseIndex(std::string_view s, size_t* out) {
  if (s.empty() || s.size() > 18) return false;
  if (s.size() > 1 && s[0] == '0') return false;
  size_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<size_t>(c - '0');
  }
  *out = v;
  return true;
}

VariableRef::Step MakeStep(std::string key) {
  VariableRef::Step step;
  step.is_index = ParseIndex(key, &step.index);
  step.key = std::move(key);
  return step;
}

// Parses a bracketed step starting at text[*pos] == '['; leaves *pos after the ']'.
Status ParseBracket(std::string_view text, size_t* pos, VariableRef::Step* step) {
  const size_t open = *pos;
  size_t i = open + 1;
  if (i < text.size() && (text[i] == '\'' || text[i] == '"')) {
    const char quote = text[i++];
    std::string key;
    bool closed = false;
    while (i < text.size()) {
      char c = text[i++];
      if (c == '\\' && i < text.size()) {
        key.push_back(text[i++]);
      } else if (c == quote) {
        closed = true;
        break;
      } else {
        key.push_back(c);
      }
    }
    if (!closed) return PathError(text, std::string("unclosed quote ") + quote, open + 1);
    if (i >= text.size() || text[i] != ']') return PathError(text, "unclosed '['", open);
    *pos = i + 1;
    // A quoted key is always a key, even when it looks like a number.
    step->key = std::move(key);
    step->is_index = false;
    step->index = 0;
    return Status::OK();
  }
  size_t close = text.find(']', i);
  if (close == std::string_view::npos) return PathError(text, "unclosed '['", open);
  std::string_view inner = text.substr(i, close - i);
  if (inner.empty()) return PathError(text, "empty path step", open);
  *step = MakeStep(std::string(inner));
  *pos = close + 1;
  return Status::OK();
}

}  // namespace

const Json* JsonScopeView::Find(std::string_view component_id, std::string_view port) const {
  const Json* component = scope_.Find(component_id);
  if (component == nullptr) return nullptr;
  return component->Find(port);
}

Result<VariableRef> VariableRef::Parse(std::string_view text) {
  if (text.size() < 2 || text[0] != '$' || text[1] != '.') {
    return Status::InvalidArgument("variable '" + std::string(text) + "' must start with '$.'");
  }
  VariableRef ref;
  size_t pos = 2;
  const size_t id_end = text.find('.', pos);
  if (id_end == std::string_view::npos || id_end == pos) {
    return Status::InvalidArgument("variable '" + std::string(text) +
                                   "' must name a component and a port");
  }
  ref.component_id.assign(text.substr(pos, id_end - pos));
  pos = id_end + 1;
  const size_t port_end = text.find_first_of(".[", pos);
  const size_t port_len = (port_end == std::string_view::npos ? text.size() : port_end) - pos;
  if (port_len == 0) {
    return Status::InvalidArgument("variable '" + std::string(text) +
                                   "' must name a component and a port");
  }
  ref.port.assign(text.substr(pos, port_len));
  pos += port_len;

  // Each iteration consumes one step; `pos` sits on the separator ('.' or '[') before it.
  while (pos < text.size()) {
    const char sep = text[pos];
    if (sep == '[') {
      Step step;
      FLOWKIT_RETURN_IF_ERROR(ParseBracket(text, &pos, &step));
      ref.path.push_back(std::move(step));
      continue;
    }
    if (sep != '.') return PathError(text, "expected '.' or '[' after ']'", pos);
    ++pos;                                        // the '.'
    if (pos < text.size() && text[pos] == '[') {  // the a.[0].b form
      Step step;
      FLOWKIT_RETURN_IF_ERROR(ParseBracket(text, &pos, &step));
      ref.path.push_back(std::move(step));
      continue;
    }
    const size_t end = text.find_first_of(".[]", pos);
    const size_t stop = end == std::string_view::npos ? text.size() : end;
    if (stop < text.size() && text[stop] == ']') return PathError(text, "unexpected ']'", stop);
    if (stop == pos) return PathError(text, "empty path step", pos);
    ref.path.push_back(MakeStep(std::string(text.substr(pos, stop - pos))));
    pos = stop;
  }
  return ref;
}

const Json* VariableRef::Resolve(const Json& root) const noexcept {
  const Json* cur = &root;
  for (const Step& step : path) {
    if (cur->IsObject()) {
      cur = cur->Find(step.key);
    } else if (cur->IsArray() && step.is_index) {
      if (step.index >= cur->size()) return nullptr;
      cur = &cur->At(step.index);
    } else {
      return nullptr;
    }
    if (cur == nullptr) return nullptr;
  }
  return cur;
}

}  // namespace flowkit
