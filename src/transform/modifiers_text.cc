// Text modifiers. Inputs follow TextInput: null/undefined pass through unchanged (a missing
// variable stays missing rather than failing the message), arrays and objects are errors.
#include <algorithm>
#include <cmath>
#include <string>

#include "transform/modifiers_internal.h"
#include "util/base64.h"
#include "util/js.h"
#include "util/regex.h"

namespace flowkit::modifiers {
namespace {

// Simple case mapping for the scripts Appmixer users write most (Latin, Greek, Cyrillic);
// other characters are left as they are. Full Unicode mapping would need ICU.
char32_t ToUpperCp(char32_t c) {
  if (c >= 'a' && c <= 'z') return c - 32;
  if (c < 0x80) return c;
  if ((c >= 0xe0 && c <= 0xfe && c != 0xf7)) return c - 0x20;
  if (c == 0xff) return 0x178;
  if ((c >= 0x100 && c <= 0x137) || (c >= 0x14a && c <= 0x177)) return c & ~char32_t{1};
  if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e)) return (c % 2 == 0) ? c - 1 : c;
  if (c >= 0x3b1 && c <= 0x3c9 && c != 0x3c2) return c - 0x20;
  if (c == 0x3c2) return 0x3a3;
  if (c >= 0x430 && c <= 0x44f) return c - 0x20;
  if (c >= 0x450 && c <= 0x45f) return c - 0x50;
  return c;
}

char32_t ToLowerCp(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c < 0x80) return c;
  if (c >= 0xc0 && c <= 0xde && c != 0xd7) return c + 0x20;
  if (c == 0x178) return 0xff;
  if ((c >= 0x100 && c <= 0x137) || (c >= 0x14a && c <= 0x177)) return c | 1;
  if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e)) return (c % 2 == 1) ? c + 1 : c;
  if (c >= 0x391 && c <= 0x3a9 && c != 0x3a2) return c + 0x20;
  if (c >= 0x410 && c <= 0x42f) return c + 0x20;
  if (c >= 0x400 && c <= 0x40f) return c + 0x50;
  return c;
}

std::string Upper(std::string_view s) {
  std::string out;
  for (char32_t c : js::DecodeUtf8(s)) {
    if (c == 0xdf) {
      out += "SS";  // ß, as JavaScript's toUpperCase
    } else {
      js::AppendUtf8(ToUpperCp(c), &out);
    }
  }
  return out;
}

std::string Lower(std::string_view s) {
  std::string out;
  for (char32_t c : js::DecodeUtf8(s)) js::AppendUtf8(ToLowerCp(c), &out);
  return out;
}

// Folds accented Latin letters to ASCII for slugs.
std::string_view AsciiFold(char32_t c) {
  struct Fold {
    char32_t from, to;
    std::string_view ascii;
  };
  static constexpr Fold kFolds[] = {
      {0xc0, 0xc5, "a"},    {0xc6, 0xc6, "ae"},  {0xc7, 0xc7, "c"},   {0xc8, 0xcb, "e"},
      {0xcc, 0xcf, "i"},    {0xd0, 0xd0, "d"},   {0xd1, 0xd1, "n"},   {0xd2, 0xd6, "o"},
      {0xd8, 0xd8, "o"},    {0xd9, 0xdc, "u"},   {0xdd, 0xdd, "y"},   {0xdf, 0xdf, "ss"},
      {0xe0, 0xe5, "a"},    {0xe6, 0xe6, "ae"},  {0xe7, 0xe7, "c"},   {0xe8, 0xeb, "e"},
      {0xec, 0xef, "i"},    {0xf0, 0xf0, "d"},   {0xf1, 0xf1, "n"},   {0xf2, 0xf6, "o"},
      {0xf8, 0xf8, "o"},    {0xf9, 0xfc, "u"},   {0xfd, 0xfd, "y"},   {0xff, 0xff, "y"},
      {0x100, 0x105, "a"},  {0x106, 0x10d, "c"}, {0x10e, 0x111, "d"}, {0x112, 0x11b, "e"},
      {0x11c, 0x123, "g"},  {0x124, 0x127, "h"}, {0x128, 0x131, "i"}, {0x134, 0x135, "j"},
      {0x136, 0x137, "k"},  {0x139, 0x142, "l"}, {0x143, 0x148, "n"}, {0x14c, 0x151, "o"},
      {0x152, 0x153, "oe"}, {0x154, 0x159, "r"}, {0x15a, 0x161, "s"}, {0x162, 0x167, "t"},
      {0x168, 0x173, "u"},  {0x174, 0x175, "w"}, {0x176, 0x178, "y"}, {0x179, 0x17e, "z"}};
  for (const auto& f : kFolds) {
    if (c >= f.from && c <= f.to) return f.ascii;
  }
  return {};
}

// String.prototype.substring / slice index resolution over code points.
size_t ClampIndex(double d, size_t length) {
  if (std::isnan(d) || d <= 0) return 0;
  if (d >= static_cast<double>(length)) return length;
  return static_cast<size_t>(d);
}

using TextFn = std::string (*)(std::string_view);

ModifierFunction MapText(std::string name, TextFn fn) {
  return [name = std::move(name), fn](const ModifierCall& call) -> Result<Json> {
    FLOWKIT_ASSIGN_OR_RETURN(auto text, TextInput(name, call.value));
    if (!text) return call.value;
    return Json(fn(*text));
  };
}

Result<Json> Capitalize(const ModifierCall& call) {
  FLOWKIT_ASSIGN_OR_RETURN(auto text, TextInput("g_capitalize", call.value));
  if (!text) return call.value;
  std::u32string cps = js::DecodeUtf8(*text);
  if (cps.empty()) return Json("");
  std::string out = Upper(js::EncodeUtf8(cps.substr(0, 1)));
  out += js::EncodeUtf8(std::u32string_view(cps).substr(1));
  return Json(std::move(out));
}

// search: the regex source, either bare or "/source/flags".
Result<std::shared_ptr<const Regex>> CompileUserRegex(std::string_view search,
                                                      std::string_view extra_flags) {
  std::string flags(extra_flags);
  std::string_view source = search;
  if (search.size() >= 2 && search.front() == '/') {
    size_t close = search.rfind('/');
    std::string_view tail = search.substr(close + 1);
    if (close > 0 && std::all_of(tail.begin(), tail.end(), [](char c) {
          return std::string_view("gimsuy").find(c) != std::string_view::npos;
        })) {
      source = search.substr(1, close - 1);
      for (char c : tail) {
        if (flags.find(c) == std::string::npos) flags.push_back(c);
      }
    }
  }
  return RegexCache::Default().Get(source, flags);
}

Result<Json> Replace(const ModifierCall& call) {
  FLOWKIT_ASSIGN_OR_RETURN(auto text, TextInput("g_replace", call.value));
  if (!text) return call.value;
  const Json& search = HashOrParam(call, "search", 0);
  if (search.IsNullish()) return Error("g_replace", "needs the text to search for");
  std::string needle = js::ToString(search);
  std::string replacement = js::ToString(HashOrParam(call, "replacement", 1).IsNullish()
                                             ? Json("")
                                             : HashOrParam(call, "replacement", 1));
  bool all = BoolOption(HashAt(call, "all"), true);
  if (BoolOption(HashAt(call, "regex"), false)) {
    const Json* flags = HashAt(call, "flags");
    std::string flag_text = flags ? js::ToString(*flags) : "";
    flag_text.erase(std::remove(flag_text.begin(), flag_text.end(), 'g'), flag_text.end());
    auto re = CompileUserRegex(needle, flag_text);
    if (!re.ok()) return Error("g_replace", re.status().message());
    bool global = all || (*re)->global();
    auto out = (*re)->Replace(*text, replacement, global);
    if (!out.ok()) return Error("g_replace", out.status().message());
    return Json(std::move(*out));
  }
  if (needle.empty()) return Json(replacement + *text);  // JavaScript: an empty search matches at 0
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t hit = text->find(needle, pos);
    if (hit == std::string::npos) break;
    out.append(*text, pos, hit - pos);
    out += replacement;
    pos = hit + needle.size();
    if (!all) break;
  }
  out.append(*text, pos, std::string::npos);
  return Json(std::move(out));
}

Result<Json> Substring(const ModifierCall& call) {
  FLOWKIT_ASSIGN_OR_RETURN(auto text, TextInput("g_substring", call.value));
  if (!text) return call.value;
  std::u32string cps = js::DecodeUtf8(*text);
  const Json& start_arg = HashOrParam(call, "start", 0);
  const Json& end_arg = HashOrParam(call, "end", 1);
  double start = start_arg.IsNullish() ? 0 : js::ToNumber(start_arg);
  double end = (end_arg.IsUndefined() || (end_arg.IsString() && end_arg.StringView().empty()))
                   ? static_cast<double>(cps.size())
                   : js::ToNumber(end_arg);
  size_t a = ClampIndex(start, cps.size());
  size_t b = ClampIndex(end, cps.size());
  if (a > b) std::swap(a, b);
  return Json(js::EncodeUtf8(std::u32string_view(cps).substr(a, b - a)));
}

Result<Json> Split(const ModifierCall& call) {
  if (call.value.IsArray()) return call.value;  // already a list
  FLOWKIT_ASSIGN_OR_RETURN(auto text, TextInput("g_split", call.value));
  if (!text) return Json::MakeArray();
  const Json& delimiter = HashOrParam(call, "delimiter", 0);
  Json out = Json::MakeArray();
  if (delimiter.IsUndefined()) {
    out.Push(Json(*text));
    return out;
  }
  std::string sep = js::ToString(delimiter);
  if (sep.empty()) {
    for (char32_t c : js::DecodeUtf8(*text))
      out.Push(Json(js::EncodeUtf8(std::u32string_view(&c, 1))));
    return out;
  }
  size_t pos = 0;
  while (true) {
    size_t hit = text->find(sep, pos);
    if (hit == std::string::npos) break;
    out.Push(Json(text->substr(pos, hit - pos)));
    pos = hit + sep.size();
  }
  out.Push(Json(text->substr(pos)));
  return out;
}

Result<Json> Join(const ModifierCall& call) {
  const Json& sep_arg = HashOrParam(call, "separator", 0);
  std::string sep = sep_arg.IsUndefined() ? "," : js::ToString(sep_arg);
  if (call.value.IsNullish()) return Json("");
  if (!call.value.IsArray()) {
    if (call.value.IsObject()) return Error("g_join", "expects a list, got an object");
    return Json(js::ToString(call.value));
  }
  std::string out;
  bool first = true;
  for (const Json& item : call.value.array()) {
    if (!first) out += sep;
    first = false;
    if (item.IsNullish()) continue;
    out += item.IsObject() ? item.Dump() : js::ToString(item);
  }
  return Json(std::move(out));
}

Result<Json> Length(const ModifierCall& call) {
  if (call.value.IsString())
    return Json(static_cast<int64_t>(js::Utf16Length(call.value.StringView())));
  if (call.value.IsArray()) return Json(static_cast<int64_t>(call.value.size()));
  return Json(0);
}

Result<Json> ContainsFn(const ModifierCall& call) {
  const Json& needle = HashOrParam(call, "search", 0);
  if (call.value.IsArray()) {
    for (const Json& item : call.value.array()) {
      if (js::LooseEquals(item, needle)) return Json(true);
    }
    return Json(false);
  }
  if (call.value.IsNullish()) return Json(false);
  return Json(js::Contains(call.value, needle));
}

Result<Json> EdgeTest(const ModifierCall& call, std::string_view name, bool at_start) {
  FLOWKIT_ASSIGN_OR_RETURN(auto text, TextInput(name, call.value));
  const Json& arg = HashOrParam(call, "search", 0);
  if (arg.IsUndefined()) return Error(name, "needs the text to look for");
  if (!text) return Json(false);
  std::string needle = js::ToString(arg);
  if (needle.size() > text->size()) return Json(false);
  return Json(at_start ? text->compare(0, needle.size(), needle) == 0
                       : text->compare(text->size() - needle.size(), needle.size(), needle) == 0);
}

Result<Json> Pad(const ModifierCall& call, std::string_view name, bool at_start) {
  FLOWKIT_ASSIGN_OR_RETURN(auto text, TextInput(name, call.value));
  if (!text) return call.value;
  FLOWKIT_ASSIGN_OR_RETURN(double length,
                           RequireNumber(name, "length", HashOrParam(call, "length", 0)));
  const Json& fill_arg = HashOrParam(call, "fill", 1);
  std::u32string fill =
      js::DecodeUtf8(fill_arg.IsUndefined() ? std::string(" ") : js::ToString(fill_arg));
  std::u32string cps = js::DecodeUtf8(*text);
  if (length > 100'000) return Error(name, "length is larger than 100000");
  if (fill.empty() || length <= static_cast<double>(cps.size())) return Json(*text);
  size_t missing = static_cast<size_t>(length) - cps.size();
  std::u32string pad;
  while (pad.size() < missing) pad += fill;
  pad.resize(missing);
  return Json(at_start ? js::EncodeUtf8(pad) + *text : *text + js::EncodeUtf8(pad));
}

Result<Json> Concat(const ModifierCall& call) {
  if (call.value.IsArray()) {
    Json out = call.value;
    for (const Json& p : call.params) {
      if (p.IsArray()) {
        for (const Json& item : p.array()) out.Push(item);
      } else {
        out.Push(p);
      }
    }
    return out;
  }
  std::string out = call.value.IsNullish() ? "" : js::ToString(call.value);
  for (const Json& p : call.params) {
    if (!p.IsNullish()) out += js::ToString(p);
  }
  return Json(std::move(out));
}

Result<Json> Prepend(const ModifierCall& call) {
  const Json& prefix = HashOrParam(call, "text", 0);
  std::string out = prefix.IsNullish() ? "" : js::ToString(prefix);
  if (!call.value.IsNullish()) out += js::ToString(call.value);
  return Json(std::move(out));
}

Result<Json> ToStringFn(const ModifierCall& call) {
  if (call.value.IsNullish()) return Json("");
  if (call.value.IsObject()) return Json(call.value.Dump());
  return Json(js::ToString(call.value));
}

Result<Json> Slugify(const ModifierCall& call) {
  FLOWKIT_ASSIGN_OR_RETURN(auto text, TextInput("g_slugify", call.value));
  if (!text) return call.value;
  const Json& sep_arg = HashOrParam(call, "separator", 0);
  std::string sep = sep_arg.IsNullish() ? "-" : js::ToString(sep_arg);
  std::string out;
  bool pending_sep = false;
  for (char32_t c : js::DecodeUtf8(*text)) {
    std::string piece;
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      piece.push_back(static_cast<char>(c));
    } else if (c >= 'A' && c <= 'Z') {
      piece.push_back(static_cast<char>(c + 32));
    } else {
      piece = std::string(AsciiFold(c));
    }
    if (piece.empty()) {
      pending_sep = !out.empty();
      continue;
    }
    if (pending_sep) out += sep;
    pending_sep = false;
    out += piece;
  }
  return Json(std::move(out));
}

Result<Json> RegexMatch(const ModifierCall& call) {
  const Json& pattern = HashOrParam(call, "pattern", 0);
  if (pattern.IsNullish() || (pattern.IsString() && pattern.StringView().empty())) {
    return Error("g_regex", "needs a regular expression");
  }
  const Json* flags = HashAt(call, "flags");
  auto re = CompileUserRegex(js::ToString(pattern), flags ? js::ToString(*flags) : "");
  if (!re.ok()) return Error("g_regex", re.status().message());
  if (call.value.IsNullish()) return Json(nullptr);
  std::string subject = call.value.IsObject() ? call.value.Dump() : js::ToString(call.value);
  auto m = (*re)->Exec(subject);
  if (!m.ok()) return Error("g_regex", m.status().message());
  if (!m->has_value()) return Json(nullptr);
  const Json& group = HashOrParam(call, "group", 1);
  size_t index = 0;
  if (!group.IsNullish() && !(group.IsString() && group.StringView().empty())) {
    double g = js::ToNumber(group);
    if (std::isnan(g)) {
      // A named group.
      std::string name = js::ToString(group);
      auto it = std::find_if((*m)->names.begin(), (*m)->names.end(),
                             [&](const auto& n) { return n.first == name; });
      if (it == (*m)->names.end())
        return Error("g_regex", "the expression has no group named \"" + name + "\"");
      index = it->second;
    } else {
      if (g < 0 || g != std::floor(g) || g >= static_cast<double>((*m)->groups.size())) {
        return Error("g_regex", "the expression has no capture group " + js::ToString(group));
      }
      index = static_cast<size_t>(g);
    }
  }
  const auto& captured = (*m)->groups[index];
  return captured ? Json(*captured) : Json(nullptr);
}

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         std::string_view("-_.!~*'()").find(static_cast<char>(c)) != std::string_view::npos;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decoded bytes as text: invalid UTF-8 becomes U+FFFD, as Buffer.toString('utf8') does.
std::string AsUtf8Text(std::string_view bytes) { return js::EncodeUtf8(js::DecodeUtf8(bytes)); }

Result<std::string> Encoding(const ModifierCall& call, std::string_view name) {
  const Json& arg = HashOrParam(call, "encoding", 0);
  std::string enc = arg.IsNullish() || (arg.IsString() && arg.StringView().empty())
                        ? "base64"
                        : Lower(js::ToString(arg));
  if (enc == "uri" || enc == "urlcomponent") enc = "url";
  if (enc != "base64" && enc != "base64url" && enc != "url" && enc != "hex") {
    return Error(name, "unknown encoding \"" + enc + "\" (use base64, base64url, url or hex)");
  }
  return enc;
}

Result<Json> Encode(const ModifierCall& call) {
  FLOWKIT_ASSIGN_OR_RETURN(std::string enc, Encoding(call, "g_encoder"));
  if (call.value.IsNullish()) return call.value;
  std::string in =
      call.value.IsObject() || call.value.IsArray() ? call.value.Dump() : js::ToString(call.value);
  if (enc == "base64" || enc == "base64url") return Json(internal::Base64Encode(in, enc == "base64url"));
  std::string out;
  static constexpr char kHex[] = "0123456789ABCDEF";
  static constexpr char kHexLower[] = "0123456789abcdef";
  for (char ch : in) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (enc == "hex") {
      out += kHexLower[c >> 4];
      out += kHexLower[c & 15];
    } else if (IsUnreserved(c)) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return Json(std::move(out));
}

Result<Json> Decode(const ModifierCall& call) {
  FLOWKIT_ASSIGN_OR_RETURN(std::string enc, Encoding(call, "g_decoder"));
  if (call.value.IsNullish()) return call.value;
  if (!call.value.IsString())
    return Error("g_decoder", "expects text, got " + Describe(call.value));
  std::string_view in = call.value.StringView();
  if (enc == "base64" || enc == "base64url") {
    auto bytes = internal::Base64Decode(in);
    if (!bytes) return Error("g_decoder", "the value is not valid " + enc);
    return Json(AsUtf8Text(*bytes));
  }
  std::string out;
  if (enc == "hex") {
    if (in.size() % 2 != 0)
      return Error("g_decoder", "hex text must have an even number of digits");
    for (size_t i = 0; i < in.size(); i += 2) {
      int hi = HexValue(in[i]), lo = HexValue(in[i + 1]);
      if (hi < 0 || lo < 0) return Error("g_decoder", "the value is not valid hex");
      out.push_back(static_cast<char>(hi * 16 + lo));
    }
    return Json(AsUtf8Text(out));
  }
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%') {
      if (i + 2 >= in.size()) {
        return Error("g_decoder", "malformed URL encoding at offset " + std::to_string(i));
      }
      int hi = HexValue(in[i + 1]), lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0)
        return Error("g_decoder", "malformed URL encoding at offset " + std::to_string(i));
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(in[i]);
    }
  }
  // decodeURIComponent rejects sequences that are not UTF-8.
  if (js::EncodeUtf8(js::DecodeUtf8(out)) != out)
    return Error("g_decoder", "URL-encoded bytes are not UTF-8");
  return Json(std::move(out));
}

}  // namespace

std::vector<Builtin> TextModifiers() {
  const std::vector<std::string> kText = {"text"};
  std::vector<Builtin> table = {
      {Info("g_uppercase", "Uppercase", kText, "Convert the text to upper case.", {}, "string"),
       MapText("g_uppercase", Upper)},
      {Info("g_lowercase", "Lowercase", kText, "Convert the text to lower case.", {}, "string"),
       MapText("g_lowercase", Lower)},
      {Info("g_capitalize", "Capitalize", kText, "Convert the first character to upper case.", {},
            "string"),
       Capitalize},
      {Info("g_trim", "Trim", kText, "Remove white space from both ends.", {}, "string"),
       MapText("g_trim", [](std::string_view s) { return std::string(js::Trim(s)); })},
      {Info("g_trimStart", "Trim start", kText, "Remove white space from the start.", {}, "string"),
       MapText("g_trimStart", [](std::string_view s) { return std::string(js::TrimStart(s)); })},
      {Info("g_trimEnd", "Trim end", kText, "Remove white space from the end.", {}, "string"),
       MapText("g_trimEnd", [](std::string_view s) { return std::string(js::TrimEnd(s)); })},
      {Info("g_replace", "Replace", kText,
            "Replace occurrences of a text (or a regular expression with regex: true); all by "
            "default.",
            {Arg("search", "string"), Arg("replacement", "string"), HashArg("regex", "boolean"),
             HashArg("all", "boolean"), HashArg("flags", "string")},
            "string"),
       Replace},
      {Info("g_substring", "Substring", kText,
            "The characters from start up to (not including) end.",
            {Arg("start", "number"), Arg("end", "number")}, "string"),
       Substring},
      {Info("g_split", "Split", {"text", "list"}, "Split the text into a list at each delimiter.",
            {Arg("delimiter", "string")}, "array"),
       Split},
      {Info("g_join", "Join", {"list", "text"},
            "Join the items of a list into text (default separator \",\").",
            {Arg("separator", "string")}, "string"),
       Join},
      {Info("g_length", "Length", {"list", "text"},
            "The length of a text or list; 0 for anything else.", {}, "number"),
       Length},
      {Info("g_contains", "Contains", {"text", "list"},
            "Whether the text contains the search text (ignoring case), or the list contains the "
            "item.",
            {Arg("search", "string")}, "boolean"),
       ContainsFn},
      {Info("g_startsWith", "Starts with", kText, "Whether the text starts with the search text.",
            {Arg("search", "string")}, "boolean"),
       [](const ModifierCall& call) { return EdgeTest(call, "g_startsWith", true); }},
      {Info("g_endsWith", "Ends with", kText, "Whether the text ends with the search text.",
            {Arg("search", "string")}, "boolean"),
       [](const ModifierCall& call) { return EdgeTest(call, "g_endsWith", false); }},
      {Info("g_padStart", "Pad start", kText, "Pad the start of the text to the given length.",
            {Arg("length", "number"), Arg("fill", "string")}, "string"),
       [](const ModifierCall& call) { return Pad(call, "g_padStart", true); }},
      {Info("g_padEnd", "Pad end", kText, "Pad the end of the text to the given length.",
            {Arg("length", "number"), Arg("fill", "string")}, "string"),
       [](const ModifierCall& call) { return Pad(call, "g_padEnd", false); }},
      {Variadic(Info("g_concat", "Concatenate", {"text", "list"},
                     "Append the parameters to the text (or the items to the list).",
                     {Arg("text", "string")}, "string")),
       Concat},
      {Info("g_prepend", "Prepend", kText, "Put the text in front of the value.",
            {Arg("text", "string")}, "string"),
       Prepend},
      {Info("g_toString", "To text", kText, "Convert the value to text (objects to JSON).", {},
            "string"),
       ToStringFn},
      {Info("g_slugify", "Slugify", kText,
            "Lower-case ASCII words joined by a separator (default \"-\").",
            {Arg("separator", "string")}, "string"),
       Slugify},
      {Info("g_regex", "Regex match", kText,
            "The first match of a regular expression, or one capture group (number or name); null "
            "when "
            "nothing matches.",
            {Arg("pattern", "string"), Arg("group", "string"), HashArg("flags", "string")},
            "string"),
       RegexMatch},
      {Info("g_encoder", "Encode", kText,
            "Encode the text: base64 (default), base64url, url or hex.",
            {Arg("encoding", "string")}, "string"),
       Encode},
      {Info("g_decoder", "Decode", kText, "Decode base64 (default), base64url, url or hex text.",
            {Arg("encoding", "string")}, "string"),
       Decode},
  };
  return table;
}

}  // namespace flowkit::modifiers
