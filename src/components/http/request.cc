// appmixer.utils.http.Get, Post, Put, Patch and Delete (appmixer-utils.md §2.3): one request per
// message through Context::http(), answered on `response` as Appmixer's axios-based helper does.
#include <cstdint>
#include <string>
#include <string_view>

#include "components/http/http.h"
#include "components/http/request_util.h"
#include "components/input_util.h"
#include "util/base64.h"
#include "util/ids.h"
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

// axios's query encoding: encodeURIComponent, then ':', '$', ',', '[', ']' left readable and
// spaces as '+'.
std::string AxiosEncode(std::string_view text) {
  std::string encoded = js::EncodeUriComponent(text, "-_.!~*'():$,[]");
  std::string out;
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (encoded.compare(i, 3, "%20") == 0) {
      out += '+';
      i += 2;
    } else {
      out += encoded[i];
    }
  }
  return out;
}

// What a value becomes inside a query or form: String(x), objects as JSON text.
std::string ParamText(const Json& value) {
  if (value.IsObject()) return value.Dump();
  return js::ToString(value);
}

// axios buildURL: GET sends the body as query parameters (arrays as key[]=v, objects as JSON
// text, null/undefined left out; a non-object body is parameter "0").
std::string AppendQuery(std::string url, const Json& params) {
  std::string query;
  auto add = [&](const std::string& key, const Json& value) {
    if (value.IsNullish()) return;
    auto one = [&](const std::string& k, const Json& v) {
      if (!query.empty()) query += '&';
      query += AxiosEncode(k) + "=" + AxiosEncode(ParamText(v));
    };
    if (value.IsArray()) {
      for (const Json& item : value.array()) one(key + "[]", item);
    } else {
      one(key, value);
    }
  };
  if (params.IsObject()) {
    for (const auto& member : params.object()) add(member.key, member.value);
  } else if (params.IsArray()) {
    for (size_t i = 0; i < params.array().size(); ++i) add(std::to_string(i), params.array()[i]);
  } else {
    add("0", params);
  }
  if (query.empty()) return url;
  if (size_t hash = url.find('#'); hash != std::string::npos) url.resize(hash);
  url += url.find('?') == std::string::npos ? '?' : '&';
  return url + query;
}

// qs.stringify with its defaults: nested keys as a[b][0], keys and values percent-encoded
// (RFC 3986), null as "a=", undefined and empty containers left out.
void QsAppend(const std::string& prefix, const Json& value, std::string* out) {
  if (value.IsUndefined()) return;
  if (value.IsObject()) {
    for (const auto& member : value.object()) QsAppend(prefix + "[" + member.key + "]", member.value, out);
    return;
  }
  if (value.IsArray()) {
    for (size_t i = 0; i < value.array().size(); ++i) {
      QsAppend(prefix + "[" + std::to_string(i) + "]", value.array()[i], out);
    }
    return;
  }
  if (!out->empty()) *out += '&';
  *out += js::EncodeUriComponent(prefix, "-_.~") + "=";
  if (!value.IsNull()) *out += js::EncodeUriComponent(js::ToString(value), "-_.~");
}

std::string QsStringify(const Json& body) {
  std::string out;
  if (body.IsObject()) {
    for (const auto& member : body.object()) QsAppend(member.key, member.value, &out);
  } else if (body.IsArray()) {
    for (size_t i = 0; i < body.array().size(); ++i) QsAppend(std::to_string(i), body.array()[i], &out);
  }
  return out;
}

bool IsFormUrlEncoded(const HttpHeaders& headers) {
  const std::string* type = FindHttpHeader(headers, "content-type");
  if (type == nullptr) return false;
  std::string media = Lower(js::Trim(std::string_view(*type).substr(0, type->find(';'))));
  return media == "application/x-www-form-urlencoded";
}

void SetDefaultHeader(HttpHeaders& headers, std::string_view name, std::string_view value) {
  if (FindHttpHeader(headers, name) == nullptr) headers.emplace_back(name, value);
}

// Content {url, headers, body, bodyBase64Encode, responseEncoding} → the request to send.
Result<HttpRequest> BuildRawRequest(const Json& content, std::string_view method) {
  FLOWKIT_ASSIGN_OR_RETURN(std::string url, RequireUrl(content));
  FLOWKIT_ASSIGN_OR_RETURN(HttpHeaders headers, ParseHeaders(content.Get("headers"), /*cancel_on_error=*/false));
  HttpRequest request;
  request.method = std::string(method);
  request.url = std::move(url);
  Json body = content.Get("body");
  bool have_bytes = false;
  std::string bytes;
  if (js::Truthy(content.Get("bodyBase64Encode")) && js::Truthy(body)) {
    std::optional<std::string> decoded = internal::Base64Decode(js::ToString(body));
    if (!decoded) return Status::InvalidArgument("Message property 'body' is not valid base64");
    bytes = std::move(*decoded);
    have_bytes = true;
  } else if (body.IsString()) {
    // JSON text becomes the value it encodes; anything else stays text.
    if (Result<Json> parsed = Json::Parse(body.StringView()); parsed.ok()) body = std::move(*parsed);
  }
  if (method == "GET") {
    if (!have_bytes && !body.IsUndefined()) request.url = AppendQuery(std::move(request.url), body);
  } else if (have_bytes) {
    request.body = std::move(bytes);
  } else if ((body.IsObject() || body.IsArray()) && IsFormUrlEncoded(headers)) {
    request.body = QsStringify(body);
  } else if (body.IsString()) {
    request.body = body.AsString();
  } else if (!body.IsUndefined()) {
    request.body = body.Dump();
    SetDefaultHeader(headers, "Content-Type", "application/json");
  }
  // axios's defaults: a body of POST, PUT or PATCH without a type is form data.
  if (method == "POST" || method == "PUT" || method == "PATCH") {
    SetDefaultHeader(headers, "Content-Type", "application/x-www-form-urlencoded");
  }
  request.headers = std::move(headers);
  return request;
}

// One multipart/form-data part.
void AppendPart(std::string_view boundary, std::string_view name, const std::string* filename,
                std::string_view content_type, std::string_view data, std::string* out) {
  auto quoted = [](std::string_view text) {
    std::string q;
    for (char c : text) {
      if (c == '"') q += "%22";
      else if (c == '\r') q += "%0D";
      else if (c == '\n') q += "%0A";
      else q += c;
    }
    return q;
  };
  *out += "--";
  *out += boundary;
  *out += "\r\nContent-Disposition: form-data; name=\"" + quoted(name) + "\"";
  if (filename != nullptr) *out += "; filename=\"" + quoted(*filename) + "\"";
  *out += "\r\n";
  if (!content_type.empty()) *out += "Content-Type: " + std::string(content_type) + "\r\n";
  *out += "\r\n";
  *out += data;
  *out += "\r\n";
}

// bodyType form-data: bodyFormData is an expression {ADD: [{name, type, <type>: value}]};
// filepicker fields attach a file of the flow owner's file store.
Result<HttpRequest> BuildFormDataRequest(Context& ctx, const Json& content, std::string_view method) {
  FLOWKIT_ASSIGN_OR_RETURN(std::string url, RequireUrl(content));
  FLOWKIT_ASSIGN_OR_RETURN(HttpHeaders headers, ParseHeaders(content.Get("headers"), /*cancel_on_error=*/false));
  const Json& form = content.Get("bodyFormData");
  const Json* fields = &form;
  if (form.IsObject()) {
    fields = &form.Get("ADD");
    if (!fields->IsArray()) fields = &form.Get("AND");
  }
  std::string boundary = "--------------------------flowkit" + internal::NewUuid4().substr(0, 8) +
                         internal::NewUuid4().substr(24);
  std::string body;
  if (fields->IsArray()) {
    for (const Json& field : fields->array()) {
      std::string name = js::ToString(field.Get("name"));
      std::string type = field.Get("type").IsString() ? field.Get("type").AsString() : "text";
      const Json& value = field.Get(type);
      if (value.IsNullish()) continue;
      if (type == "filepicker") {
        std::string file_id = js::ToString(value);
        Result<FileInfo> info = ctx.files().Info(file_id);
        if (!info.ok()) return info.status().WithPrefix("form-data field '" + name + "'");
        Result<std::string> data = ctx.files().Read(file_id);
        if (!data.ok()) return data.status().WithPrefix("form-data field '" + name + "'");
        std::string content_type = info->content_type.empty() ? "application/octet-stream" : info->content_type;
        AppendPart(boundary, name, &info->filename, content_type, *data, &body);
      } else {
        AppendPart(boundary, name, nullptr, "", ParamText(value), &body);
      }
    }
  }
  body += "--" + boundary + "--\r\n";
  // The multipart type names the boundary, so it replaces any type the user set.
  std::erase_if(headers, [](const auto& h) { return Lower(h.first) == "content-type"; });
  headers.emplace_back("Content-Type", "multipart/form-data; boundary=" + boundary);
  HttpRequest request;
  request.method = std::string(method);
  request.url = std::move(url);
  request.headers = std::move(headers);
  request.body = std::move(body);
  return request;
}

// bodyType binary: the file `fileId` is the body.
Result<HttpRequest> BuildBinaryRequest(Context& ctx, const Json& content, std::string_view method) {
  FLOWKIT_ASSIGN_OR_RETURN(std::string url, RequireUrl(content));
  FLOWKIT_ASSIGN_OR_RETURN(HttpHeaders headers, ParseHeaders(content.Get("headers"), /*cancel_on_error=*/true));
  std::string file_id = js::ToString(content.Get("fileId"));
  if (content.Get("fileId").IsNullish() || file_id.empty()) {
    return Status::InvalidArgument("Failed to send binary data: Message property 'fileId' is required");
  }
  Result<std::string> data = ctx.files().Read(file_id);
  if (!data.ok()) return data.status().WithPrefix("Failed to send binary data");
  SetDefaultHeader(headers, "Content-Type", "application/octet-stream");
  HttpRequest request;
  request.method = std::string(method);
  request.url = std::move(url);
  request.headers = std::move(headers);
  request.body = std::move(*data);
  return request;
}

class RequestBehaviour final : public Behaviour {
 public:
  RequestBehaviour(std::string_view method, bool body_types) : method_(method), body_types_(body_types) {}

  Status Receive(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(const Message* in, RequireInput(ctx, "in"));
    const Json& content = in->Content();
    std::string body_type = body_types_ && content.Get("bodyType").IsString() ? content.Get("bodyType").AsString() : "raw";
    FLOWKIT_ASSIGN_OR_RETURN(ResponseEncoding encoding, ParseResponseEncoding(content.Get("responseEncoding")));
    Result<HttpRequest> request = Status::Internal("unset");
    if (body_type == "binary") {
      request = BuildBinaryRequest(ctx, content, method_);
    } else if (body_type == "form-data") {
      request = BuildFormDataRequest(ctx, content, method_);
    } else if (body_type == "raw" || body_type.empty()) {
      request = BuildRawRequest(content, method_);
    } else {
      return Status::InvalidArgument("bodyType must be raw, form-data or binary, not '" + body_type + "'");
    }
    if (!request.ok()) return request.status();
    SetDefaultHeader(request->headers, "Accept", "application/json, text/plain, */*");
    Result<Json> out = SendRequest(ctx.http(), std::move(*request), encoding);
    if (!out.ok()) return body_type == "binary" ? out.status().WithPrefix("Failed to send binary data") : out.status();
    return ctx.Send("response", std::move(*out));
  }

 private:
  std::string method_;
  bool body_types_;
};

}  // namespace

std::unique_ptr<Behaviour> NewRequest(std::string_view method) {
  const bool body_types = method == "POST" || method == "PUT";
  return std::make_unique<RequestBehaviour>(method, body_types);
}

}  // namespace flowkit::components::http
