#include "components/files/files.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "components/builtin_registry.h"
#include "flowkit/component.h"
#include "util/base64.h"
#include "util/js.h"

namespace flowkit::components {
namespace files {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// JavaScript's UTF-16 code units of UTF-8 text.
std::u16string Utf16Units(std::string_view text) {
  std::u16string units;
  for (char32_t cp : js::DecodeUtf8(text)) {
    if (cp >= 0x10000) {
      cp -= 0x10000;
      units.push_back(static_cast<char16_t>(0xd800 + (cp >> 10)));
      units.push_back(static_cast<char16_t>(0xdc00 + (cp & 0x3ff)));
    } else {
      units.push_back(static_cast<char16_t>(cp));
    }
  }
  return units;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Text of a stored file as Node's default Buffer.toString() gives it (UTF-8, U+FFFD for bad bytes).
std::string AsText(std::string_view bytes) { return js::EncodeUtf8(js::DecodeUtf8(bytes)); }

// Reads `fileId` of the in-port message; a missing file is a final error naming it.
Result<std::string> ReadFile(Context& ctx, std::string_view component) {
  const std::string file_id = ctx.Input("in")->Content()["fileId"].AsString();
  Result<std::string> bytes = ctx.files().Read(file_id);
  if (bytes.status().code() == StatusCode::kNotFound) {
    return Status::NotFound(std::string(component) + ": no file with fileId '" + file_id + "'");
  }
  return bytes;
}

class LoadFile final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(std::string bytes, ReadFile(ctx, "LoadFile"));
    return ctx.Send("content", Json::MakeObject({{"content", AsText(bytes)}}));
  }
};

class LoadFileLines final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(std::string bytes, ReadFile(ctx, "LoadFileLines"));
    int64_t index = 0;
    for (std::string& line : SplitLines(bytes)) {
      FLOWKIT_RETURN_IF_ERROR(ctx.Send("content", Json::MakeObject({{"line", std::move(line)}, {"index", index}})));
      ++index;
    }
    return Status::OK();
  }
};

class SaveFile final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    const Json& in = ctx.Input("in")->Content();
    const Json& content = in["content"];
    const std::string text = content.IsString() ? content.AsString() : content.Dump();
    Result<std::string> bytes = EncodeText(text, in["contentEncoding"]);
    if (!bytes.ok()) return bytes.status().WithPrefix("SaveFile");
    FLOWKIT_ASSIGN_OR_RETURN(FileInfo file,
                             ctx.files().Save(in["filename"].AsString(), *bytes, in["mimetype"].AsString()));
    return ctx.Send("file", file.ToJson());
  }
};

class RemoveFile final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    const std::string file_id = ctx.Input("in")->Content()["fileId"].AsString();
    Status removed = ctx.files().Remove(file_id);
    if (removed.code() == StatusCode::kNotFound) {
      return Status::NotFound("RemoveFile: no file with fileId '" + file_id + "'");
    }
    FLOWKIT_RETURN_IF_ERROR(removed);
    return ctx.Send("deleted", Json::MakeObject({{"fileId", file_id}}));
  }
};

class ArchiveFile final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    const std::string file_id = ctx.Input("in")->Content()["fileId"].AsString();
    Result<FileInfo> archived = ctx.files().Archive(file_id);
    if (archived.status().code() == StatusCode::kNotFound) {
      return Status::NotFound("ArchiveFile: no file with fileId '" + file_id + "'");
    }
    FLOWKIT_RETURN_IF_ERROR(archived.status());
    return ctx.Send("out", Json::MakeObject({{"fileId", file_id}}));
  }
};

// The file name a download is stored under: customFileName, else the Content-Disposition's
// filename=, else the link's last path segment (as Appmixer: `link.split('/').pop()`); double
// quotes removed.
std::string DownloadName(const Json& in, const HttpResponse& response, std::string_view link) {
  std::string name = in["customFileName"].AsString();
  if (name.empty()) {
    if (const std::string* disposition = FindHttpHeader(response.headers, "content-disposition")) {
      const size_t at = disposition->find("filename=");
      if (at != std::string::npos) name = disposition->substr(at + 9);
    }
  }
  if (name.empty()) name = std::string(link.substr(link.rfind('/') + 1));
  std::erase(name, '"');
  return name;
}

class DownloadFile final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    const Json& in = ctx.Input("in")->Content();
    const std::string link = in["link"].AsString();
    const size_t scheme_end = link.find("://");
    const std::string scheme = scheme_end == std::string::npos ? std::string() : Lower(link.substr(0, scheme_end));
    if ((scheme != "http" && scheme != "https") || link.size() == scheme_end + 3) {
      return Status::Cancelled("DownloadFile: invalid link '" + link + "' (an http or https URL is required)");
    }
    HttpRequest request;
    request.url = link;
    Result<HttpResponse> response = ctx.http().Perform(std::move(request));
    if (!response.ok()) return response.status().WithPrefix("DownloadFile");
    if (response->status < 200 || response->status >= 300) {
      std::string message = "DownloadFile: " + link + " answered with status code " + std::to_string(response->status);
      Status status = Status::FromHttpStatus(response->status, message);
      if (status.ok()) status = Status(StatusCode::kFailedPrecondition, std::move(message), response->status);
      return status;
    }
    const std::string name = DownloadName(in, *response, link);
    const std::string* type = FindHttpHeader(response->headers, "content-type");
    const std::string content_type = type != nullptr && !type->empty() ? *type : "application/octet-stream";
    FLOWKIT_ASSIGN_OR_RETURN(FileInfo file, ctx.files().Save(name, response->body, content_type));
    return ctx.Send("out", Json::MakeObject({{"fileId", file.file_id},
                                             {"filename", name},
                                             {"contentType", content_type}}));
  }
};

}  // namespace

Result<std::string> EncodeText(std::string_view text, const Json& encoding) {
  const std::string name = Lower(encoding.IsString() ? encoding.StringView() : std::string_view());
  if (name == "utf8" || name == "utf-8") return std::string(text);
  if (name == "ascii" || name == "latin1" || name == "binary") {
    std::string out;
    for (char16_t unit : Utf16Units(text)) out.push_back(static_cast<char>(unit & 0xff));
    return out;
  }
  if (name == "utf16le" || name == "utf-16le" || name == "ucs2" || name == "ucs-2") {
    std::string out;
    for (char16_t unit : Utf16Units(text)) {
      out.push_back(static_cast<char>(unit & 0xff));
      out.push_back(static_cast<char>(unit >> 8));
    }
    return out;
  }
  if (name == "base64") {
    std::optional<std::string> bytes = internal::Base64Decode(text);
    if (!bytes) return Status::InvalidArgument("content is not valid base64");
    return std::move(*bytes);
  }
  if (name == "hex") {
    if (text.size() % 2 != 0) return Status::InvalidArgument("hex content has an odd number of digits");
    std::string out;
    out.reserve(text.size() / 2);
    for (size_t i = 0; i < text.size(); i += 2) {
      const int hi = HexValue(text[i]);
      const int lo = HexValue(text[i + 1]);
      if (hi < 0 || lo < 0) {
        return Status::InvalidArgument("hex content has a non-hex digit at offset " + std::to_string(hi < 0 ? i : i + 1));
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
    }
    return out;
  }
  return Status::InvalidArgument("unknown contentEncoding " + encoding.Dump() +
                                 " (use ascii, utf8, utf16le, base64, hex or latin1)");
}

std::vector<std::string> SplitLines(std::string_view bytes) {
  const std::string text = AsText(bytes);
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n' && text[i] != '\r') continue;
    lines.push_back(text.substr(start, i - start));
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    start = i + 1;
  }
  if (start < text.size()) lines.push_back(text.substr(start));
  return lines;
}

}  // namespace files

Status RegisterFilesComponents(ComponentRegistry& registry) {
  // No per-instance state: every call may run concurrently.
  constexpr ComponentOptions kConcurrent{.concurrent = true};
  const BuiltinComponent table[] = {
      {"appmixer.utils.files.LoadFile", [] { return std::make_unique<files::LoadFile>(); }, kConcurrent},
      {"appmixer.utils.files.LoadFileLines", [] { return std::make_unique<files::LoadFileLines>(); }, kConcurrent},
      {"appmixer.utils.files.SaveFile", [] { return std::make_unique<files::SaveFile>(); }, kConcurrent},
      {"appmixer.utils.files.RemoveFile", [] { return std::make_unique<files::RemoveFile>(); }, kConcurrent},
      {"appmixer.utils.files.DownloadFile", [] { return std::make_unique<files::DownloadFile>(); }, kConcurrent},
      {"appmixer.utils.files.ArchiveFile", [] { return std::make_unique<files::ArchiveFile>(); }, kConcurrent},
  };
  return RegisterBuiltinTable(registry, table);
}

}  // namespace flowkit::components
