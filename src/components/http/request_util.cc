#include "components/http/request_util.h"

#include <string_view>

#include "util/base64.h"
#include "util/js.h"

namespace flowkit::components::http {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsTokenChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+.^_`|~-").find(c) != std::string_view::npos;
}

bool IsToken(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

std::string_view TrimOws(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::string DecodeBody(std::string_view bytes, ResponseEncoding encoding) {
  switch (encoding) {
    case ResponseEncoding::kUtf8:
      return js::EncodeUtf8(js::DecodeUtf8(bytes));
    case ResponseEncoding::kBase64:
      return internal::Base64Encode(bytes);
    case ResponseEncoding::kHex: {
      static constexpr char kHex[] = "0123456789abcdef";
      std::string out;
      for (char ch : bytes) {
        unsigned char c = static_cast<unsigned char>(ch);
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
      return out;
    }
    case ResponseEncoding::kLatin1:
    case ResponseEncoding::kAscii: {
      std::string out;
      for (char ch : bytes) {
        unsigned char c = static_cast<unsigned char>(ch);
        js::AppendUtf8(encoding == ResponseEncoding::kAscii ? c & 0x7f : c, &out);
      }
      return out;
    }
    case ResponseEncoding::kUtf16Le: {
      std::u32string points;
      for (size_t i = 0; i + 1 < bytes.size(); i += 2) {
        char32_t unit = static_cast<unsigned char>(bytes[i]) | (static_cast<unsigned char>(bytes[i + 1]) << 8);
        if (unit >= 0xd800 && unit < 0xdc00 && i + 3 < bytes.size()) {
          char32_t low = static_cast<unsigned char>(bytes[i + 2]) | (static_cast<unsigned char>(bytes[i + 3]) << 8);
          if (low >= 0xdc00 && low < 0xe000) {
            points.push_back(0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00));
            i += 2;
            continue;
          }
        }
        points.push_back(unit >= 0xd800 && unit < 0xe000 ? 0xfffd : unit);
      }
      return js::EncodeUtf8(points);
    }
  }
  return std::string(bytes);
}

// Node's IncomingMessage.headers: lower-case names, repeated headers joined with ", " except
// set-cookie (an array).
Json HeadersObject(const HttpHeaders& headers) {
  Json out = Json::MakeObject();
  for (const auto& [name, value] : headers) {
    Json* existing = out.Find(name);
    if (name == "set-cookie") {
      if (existing == nullptr) existing = &out.Set(name, Json::MakeArray());
      existing->Push(Json(value));
    } else if (existing == nullptr) {
      out.Set(name, Json(value));
    } else {
      out.Set(name, Json(existing->AsString() + ", " + value));
    }
  }
  return out;
}

}  // namespace

Result<std::string> RequireUrl(const Json& content) {
  const Json& url = content.Get("url");
  if (!url.IsString() || js::Trim(url.StringView()).empty()) {
    return Status::InvalidArgument("Message property 'url' is required");
  }
  return std::string(js::Trim(url.StringView()));
}

Result<HttpHeaders> ParseHeaders(const Json& headers, bool cancel_on_error) {
  Json object = headers;
  if (headers.IsString()) {
    if (js::Trim(headers.StringView()).empty()) return HttpHeaders{};
    Result<Json> parsed = Json::Parse(headers.StringView());
    std::string problem;
    if (!parsed.ok()) {
      problem = parsed.status().message();
    } else if (!parsed->IsObject()) {
      problem = "expected a JSON object";
    }
    if (!problem.empty()) {
      std::string message = "Message property 'headers' parse error. " + problem;
      return cancel_on_error ? Status::Cancelled(std::move(message)) : Status::InvalidArgument(std::move(message));
    }
    object = std::move(*parsed);
  }
  HttpHeaders out;
  if (!object.IsObject()) return out;
  for (const auto& member : object.object()) {
    if (member.value.IsNullish()) continue;
    out.emplace_back(member.key, member.value.IsObject() ? member.value.Dump() : js::ToString(member.value));
  }
  return out;
}

Result<ResponseEncoding> ParseResponseEncoding(const Json& value) {
  if (value.IsNullish()) return ResponseEncoding::kUtf8;
  std::string name = Lower(js::ToString(value));
  if (name.empty() || name == "noencoding" || name == "utf8" || name == "utf-8") return ResponseEncoding::kUtf8;
  if (name == "base64") return ResponseEncoding::kBase64;
  if (name == "hex") return ResponseEncoding::kHex;
  if (name == "latin1" || name == "binary") return ResponseEncoding::kLatin1;
  if (name == "ascii") return ResponseEncoding::kAscii;
  if (name == "utf16le" || name == "utf-16le" || name == "ucs2" || name == "ucs-2") return ResponseEncoding::kUtf16Le;
  return Status::InvalidArgument("Unknown responseEncoding '" + js::ToString(value) +
                                 "' (use utf8, base64, hex, latin1, ascii or utf16le)");
}

Json ParseContentType(std::string_view value) {
  size_t semi = value.find(';');
  std::string_view type = TrimOws(value.substr(0, semi));
  size_t slash = type.find('/');
  if (slash == std::string_view::npos || !IsToken(type.substr(0, slash)) || !IsToken(type.substr(slash + 1))) {
    return Json::MakeObject();
  }
  Json parameters = Json::MakeObject();
  std::string_view rest = semi == std::string_view::npos ? std::string_view() : value.substr(semi + 1);
  while (!TrimOws(rest).empty()) {
    rest = TrimOws(rest);
    size_t eq = rest.find('=');
    if (eq == std::string_view::npos || !IsToken(rest.substr(0, eq))) return Json::MakeObject();
    std::string key = Lower(rest.substr(0, eq));
    rest.remove_prefix(eq + 1);
    std::string val;
    if (!rest.empty() && rest.front() == '"') {
      size_t i = 1;
      for (; i < rest.size() && rest[i] != '"'; ++i) {
        if (rest[i] == '\\' && i + 1 < rest.size()) ++i;
        val += rest[i];
      }
      if (i >= rest.size()) return Json::MakeObject();  // unterminated quote
      rest.remove_prefix(i + 1);
      rest = TrimOws(rest);
      if (!rest.empty() && rest.front() != ';') return Json::MakeObject();
    } else {
      size_t end = rest.find(';');
      val = std::string(TrimOws(rest.substr(0, end)));
      if (!IsToken(val)) return Json::MakeObject();
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    }
    if (!rest.empty() && rest.front() == ';') rest.remove_prefix(1);
    parameters.Set(key, Json(std::move(val)));
  }
  return Json::MakeObject({{"type", Json(Lower(type))}, {"parameters", std::move(parameters)}});
}

Result<Json> SendRequest(HttpClient& client, HttpRequest request, ResponseEncoding encoding) {
  Json sent_headers = Json::MakeObject();
  for (const auto& [name, value] : request.headers) sent_headers.Set(name, Json(value));
  std::string uri = request.url;
  std::string method = Lower(request.method);
  FLOWKIT_ASSIGN_OR_RETURN(HttpResponse response, client.Perform(std::move(request)));

  Json headers = HeadersObject(response.headers);
  const Json& type = headers.Get("content-type");
  headers.Set("content-type", type.IsString() ? ParseContentType(type.StringView()) : Json::MakeObject());
  std::string text = DecodeBody(response.body, encoding);
  Json body;
  if (Result<Json> parsed = text.empty() ? Result<Json>(Status::InvalidArgument("empty")) : Json::Parse(text);
      parsed.ok()) {
    body = std::move(*parsed);
  } else {
    body = Json(std::move(text));
  }
  if (response.status < 200 || response.status >= 300) {
    std::string message = "Request failed with status code " + std::to_string(response.status);
    const Json& detail = body.IsObject() ? body.Get("message") : Json::Undefined();
    if (!detail.IsNullish()) message += ": " + (detail.IsObject() ? detail.Dump() : js::ToString(detail));
    Status status = Status::FromHttpStatus(response.status, message);
    // A 3xx that was not followed (a 304, a redirect without Location) is no success either.
    if (status.ok()) status = Status(StatusCode::kFailedPrecondition, std::move(message), response.status);
    return status;
  }
  return Json::MakeObject({{"headers", std::move(headers)},
                           {"statusCode", Json(response.status)},
                           {"request", Json::MakeObject({{"uri", Json(std::move(uri))},
                                                         {"method", Json(std::move(method))},
                                                         {"headers", std::move(sent_headers)}})},
                           {"body", std::move(body)}});
}

}  // namespace flowkit::components::http
