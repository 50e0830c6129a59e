// Data stores (/stores, /store) and files (/files) of the signed-in user (Appmixer §5.5).
#include <algorithm>
#include <cctype>
#include <climits>
#include <optional>

#include "api/routes.h"

namespace flowkit::server {
namespace {

bool IsJsonRequest(const HttpRequest& request) {
  const std::string* type = request.Header("content-type");
  return type != nullptr && type->find("json") != std::string::npos;
}

// `sort=field:1|-1` → FindOptions.
Status ReadSort(const Call& call, std::string* field, bool* descending) {
  std::string sort = call.Query("sort");
  if (sort.empty()) return Status::OK();
  size_t colon = sort.find(':');
  *field = sort.substr(0, colon);
  if (colon != std::string::npos) {
    std::string direction = sort.substr(colon + 1);
    if (direction != "1" && direction != "-1") return Status::InvalidArgument("sort direction must be 1 or -1");
    *descending = direction == "-1";
  }
  return Status::OK();
}

std::string CsvField(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// A filename safe inside Content-Disposition: quotes, backslashes and controls dropped.
std::string SafeFilename(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  return out.empty() ? "download" : out;
}

void ListRecords(Services& services, Call& call) {
  std::string store_id = call.Query("storeId");
  if (store_id.empty()) return call.Fail(Status::InvalidArgument("'storeId' is required"));
  FindOptions options;
  if (Status s = ReadSort(call, &options.sort_by, &options.descending); !s.ok()) return call.Fail(s);
  Result<int64_t> offset = call.IntQuery("offset", 0, 0, INT64_MAX);
  Result<int64_t> limit = call.IntQuery("limit", 100, 0, 10000);
  if (!offset.ok()) return call.Fail(offset.status());
  if (!limit.ok()) return call.Fail(limit.status());
  options.offset = *offset;
  options.limit = *limit;
  Json query = Json::MakeObject();
  if (std::string filter = call.Query("filter"); !filter.empty()) {
    Result<Json> parsed = Json::Parse(filter);
    if (!parsed.ok() || !parsed->IsObject()) return call.Fail(Status::InvalidArgument("'filter' must be a JSON object query"));
    query = std::move(*parsed);
  }
  DataStore& stores = services.documents->DataStoresOf(call.user().user_id);
  Result<std::vector<StoreRecord>> records = stores.Find(store_id, query, options);
  if (!records.ok()) return call.Fail(records.status());
  Json out = Json::MakeArray();
  for (const StoreRecord& r : *records) {
    Json item = r.ToJson();
    item.Set("userId", Json(call.user().user_id));
    out.Push(std::move(item));
  }
  call.Reply(200, out);
}

void SetRecord(Services& services, Call& call) {
  Json value;
  if (IsJsonRequest(call.request())) {
    Result<Json> body = call.JsonBody(false);
    if (!body.ok()) return call.Fail(body.status());
    value = std::move(*body);
  } else {
    value = Json(call.request().body);
  }
  DataStore& stores = services.documents->DataStoresOf(call.user().user_id);
  Result<DataStore::SetResult> set = stores.Set(call.Param("storeId"), call.Param("key"), std::move(value));
  if (!set.ok()) return call.Fail(set.status());
  call.Reply(200, set->record.ToJson());
}

void PatchRecord(Services& services, Call& call) {
  Result<Json> body = call.JsonBody();
  if (!body.ok()) return call.Fail(body.status());
  DataStore& stores = services.documents->DataStoresOf(call.user().user_id);
  const std::string& store_id = call.Param("storeId");
  Result<std::optional<StoreRecord>> current = stores.Get(store_id, call.Param("key"));
  if (!current.ok()) return call.Fail(current.status());
  if (!current->has_value()) return call.Fail(Status::NotFound("no record '" + call.Param("key") + "' in store '" + store_id + "'"));
  std::string key = call.Param("key");
  Json value = (*current)->value;
  if (const Json& v = body->Get("value"); !v.IsUndefined()) value = v;
  if (const Json& k = body->Get("key"); !k.IsUndefined()) {
    if (!k.IsString() || k.StringView().empty()) return call.Fail(Status::InvalidArgument("'key' must be a non-empty string"));
    if (k.StringView() != key) {
      Result<std::optional<StoreRecord>> taken = stores.Get(store_id, k.StringView());
      if (taken.ok() && taken->has_value()) return call.Fail(Status::AlreadyExists("key '" + k.AsString() + "' exists"));
      Result<DataStore::SetResult> moved = stores.Set(store_id, k.StringView(), value);
      if (!moved.ok()) return call.Fail(moved.status());
      (void)stores.Remove(store_id, key);
      return call.Reply(200, moved->record.ToJson());
    }
  }
  Result<DataStore::SetResult> set = stores.Set(store_id, key, std::move(value));
  if (!set.ok()) return call.Fail(set.status());
  call.Reply(200, set->record.ToJson());
}

void DeleteRecords(Services& services, Call& call) {
  Result<Json> body = call.JsonBody(false);
  if (!body.ok()) return call.Fail(body.status());
  if (!body->IsArray()) return call.Fail(Status::InvalidArgument("the body must be an array of {key, storeId}"));
  DataStore& stores = services.documents->DataStoresOf(call.user().user_id);
  int64_t deleted = 0;
  for (const Json& item : body->array()) {
    if (!item.Get("key").IsString() || !item.Get("storeId").IsString()) {
      return call.Fail(Status::InvalidArgument("each item must be {key, storeId}"));
    }
  }
  for (const Json& item : body->array()) {
    Result<std::optional<StoreRecord>> removed = stores.Remove(item.Get("storeId").StringView(), item.Get("key").StringView());
    if (removed.ok() && removed->has_value()) ++deleted;
  }
  call.Reply(200, Json::MakeObject({{"deletedCount", Json(deleted)}}));
}

void Download(Services& services, Call& call) {
  std::string format = call.Query("format", "json");
  if (format != "json" && format != "csv") return call.Fail(Status::InvalidArgument("'format' must be json or csv"));
  DataStore& stores = services.documents->DataStoresOf(call.user().user_id);
  Result<std::vector<StoreRecord>> records = stores.Find(call.Param("storeId"), Json::MakeObject());
  if (!records.ok()) return call.Fail(records.status());
  HttpResponse response;
  std::string name = SafeFilename(call.Param("storeId"));
  if (format == "json") {
    Json out = Json::MakeArray();
    for (const StoreRecord& r : *records) out.Push(r.ToJson());
    response = HttpResponse::WithJson(200, out);
    response.SetHeader("Content-Disposition", "attachment; filename=\"" + name + ".json\"");
  } else {
    std::string csv = "key,value,createdAt,updatedAt\r\n";
    for (const StoreRecord& r : *records) {
      Json row = r.ToJson();
      csv += CsvField(r.key) + "," + CsvField(r.value.IsString() ? r.value.AsString() : r.value.Dump()) + "," +
             row.Get("createdAt").AsString() + "," + row.Get("updatedAt").AsString() + "\r\n";
    }
    response = HttpResponse::WithText(200, std::move(csv), "text/csv; charset=utf-8");
    response.SetHeader("Content-Disposition", "attachment; filename=\"" + name + ".csv\"");
  }
  call.Reply(std::move(response));
}

// POST /files: the body is the content (uploader-file-name names it). Appmixer's chunked upload
// sends uploader-file-id, uploader-chunk-number (0-based) and uploader-chunks-total: chunk 0
// creates the file, later chunks append in order.
void Upload(Services& services, Call& call) {
  const HttpRequest& request = call.request();
  const std::string* name = request.Header("uploader-file-name");
  std::string filename = name != nullptr ? PercentDecode(*name, false) : call.Query("filename");
  if (filename.empty()) return call.Fail(Status::InvalidArgument("name the file: header uploader-file-name or ?filename="));
  const std::string* type = request.Header("content-type");
  std::string content_type = type != nullptr ? *type : "application/octet-stream";
  FileStore& files = services.documents->FilesOf(call.user().user_id);
  const std::string* chunk = request.Header("uploader-chunk-number");
  const std::string* file_id = request.Header("uploader-file-id");
  if (chunk != nullptr && *chunk != "0") {
    if (file_id == nullptr) return call.Fail(Status::InvalidArgument("a chunk after the first needs uploader-file-id"));
    Result<std::string> sofar = files.Read(*file_id);
    if (!sofar.ok()) return call.Fail(sofar.status());
    Result<FileInfo> info = files.Replace(*file_id, *sofar + request.body);
    if (!info.ok()) return call.Fail(info.status());
    return call.Reply(200, info->ToJson());
  }
  Result<FileInfo> saved = files.Save(filename, request.body, content_type, file_id != nullptr ? *file_id : std::string());
  if (!saved.ok()) return call.Fail(saved.status());
  call.Reply(201, saved->ToJson());
}

// ?archived=: "false" (default) current files, "true" archived ones, "all" both.
Result<std::optional<bool>> ArchivedQuery(const Call& call) {
  std::string archived = call.Query("archived");
  if (archived.empty() || archived == "false") return std::optional<bool>(false);
  if (archived == "true") return std::optional<bool>(true);
  if (archived == "all") return std::optional<bool>();
  return Status::InvalidArgument("'archived' must be true, false or all");
}

void ListFiles(Services& services, Call& call) {
  Result<std::optional<bool>> archived = ArchivedQuery(call);
  if (!archived.ok()) return call.Fail(archived.status());
  Result<std::vector<FileInfo>> files = services.documents->FilesOf(call.user().user_id).List();
  if (!files.ok()) return call.Fail(files.status());
  std::string needle;
  if (std::string filter = call.Query("filter"); filter.rfind("filename:~", 0) == 0) needle = filter.substr(10);
  std::vector<FileInfo> kept;
  for (FileInfo& f : *files) {
    if (archived->has_value() && f.archived != **archived) continue;
    if (needle.empty() || f.filename.find(needle) != std::string::npos) kept.push_back(std::move(f));
  }
  std::string sort_by;
  bool descending = false;
  if (Status s = ReadSort(call, &sort_by, &descending); !s.ok()) return call.Fail(s);
  if (sort_by == "filename") {
    std::stable_sort(kept.begin(), kept.end(), [](const FileInfo& a, const FileInfo& b) { return a.filename < b.filename; });
  } else if (sort_by == "uploadDate" || sort_by == "length") {
    bool by_length = sort_by == "length";
    std::stable_sort(kept.begin(), kept.end(), [by_length](const FileInfo& a, const FileInfo& b) {
      return by_length ? a.length < b.length : a.updated_ms < b.updated_ms;
    });
  } else if (!sort_by.empty()) {
    return call.Fail(Status::InvalidArgument("'sort' must be filename, uploadDate or length"));
  }
  if (descending) std::reverse(kept.begin(), kept.end());
  Result<int64_t> offset = call.IntQuery("offset", 0, 0, INT64_MAX);
  Result<int64_t> limit = call.IntQuery("limit", 100, 0, 10000);
  if (!offset.ok()) return call.Fail(offset.status());
  if (!limit.ok()) return call.Fail(limit.status());
  Json out = Json::MakeArray();
  for (size_t i = static_cast<size_t>(std::min<int64_t>(*offset, static_cast<int64_t>(kept.size())));
       i < kept.size() && static_cast<int64_t>(out.size()) < *limit; ++i) {
    out.Push(kept[i].ToJson());
  }
  call.Reply(200, out);
}

}  // namespace

Status AddStoreRoutes(Router& router, Services& services) {
  Services* s = &services;
  auto stores_of = [s](const Call& c) -> DataStore& { return s->documents->DataStoresOf(c.user().user_id); };
  std::vector<Route> routes = {
      Route{.method = "GET", .pattern = "/stores", .access = Access::kUser, .summary = "The caller's data stores [{name, storeId}]",
            .tag = "stores",
            .handler = [stores_of](Call& c) {
              Result<std::vector<StoreInfo>> list = stores_of(c).ListStores();
              if (!list.ok()) return c.Fail(list.status());
              Json out = Json::MakeArray();
              for (const StoreInfo& info : *list) out.Push(Json::MakeObject({{"name", Json(info.name)}, {"storeId", Json(info.store_id)}}));
              c.Reply(200, out);
            }},
      Route{.method = "GET", .pattern = "/stores/:id", .access = Access::kUser, .summary = "One data store {name, storeId}",
            .tag = "stores",
            .handler = [stores_of](Call& c) {
              Result<std::vector<StoreInfo>> list = stores_of(c).ListStores();
              if (!list.ok()) return c.Fail(list.status());
              for (const StoreInfo& info : *list) {
                if (info.store_id == c.Param("id")) {
                  return c.Reply(200, Json::MakeObject({{"name", Json(info.name)}, {"storeId", Json(info.store_id)}}));
                }
              }
              c.Fail(Status::NotFound("store '" + c.Param("id") + "' not found"));
            }},
      Route{.method = "POST", .pattern = "/stores", .access = Access::kUser, .summary = "Create a data store {name} → {storeId}",
            .tag = "stores",
            .handler = [stores_of](Call& c) {
              Result<Json> body = c.JsonBody();
              if (!body.ok()) return c.Fail(body.status());
              std::string name = body->Get("name").AsString();
              if (name.empty()) return c.Fail(Status::InvalidArgument("'name' is required"));
              Result<StoreInfo> created = stores_of(c).CreateStore(name);
              if (!created.ok()) return c.Fail(created.status());
              c.Reply(201, Json::MakeObject({{"storeId", Json(created->store_id)}, {"name", Json(created->name)}}));
            },
            .json_body = true, .success_status = 201},
      Route{.method = "DELETE", .pattern = "/stores/:id", .access = Access::kUser,
            .summary = "Delete a data store with its records → {storeId}", .tag = "stores",
            .handler = [stores_of](Call& c) {
              if (Status st = stores_of(c).DeleteStore(c.Param("id")); !st.ok()) return c.Fail(st);
              c.Reply(200, Json::MakeObject({{"storeId", Json(c.Param("id"))}}));
            }},
      Route{.method = "GET", .pattern = "/store", .access = Access::kUser,
            .summary = "Records of a store (?storeId, sort=field:1|-1, offset, limit, filter=<JSON query>)",
            .tag = "stores", .handler = [s](Call& c) { ListRecords(*s, c); },
            .query_params = {"storeId", "sort", "offset", "limit", "filter"}},
      Route{.method = "GET", .pattern = "/store/count", .access = Access::kUser, .summary = "{count} of a store's records",
            .tag = "stores",
            .handler = [stores_of](Call& c) {
              std::string store_id = c.Query("storeId");
              if (store_id.empty()) return c.Fail(Status::InvalidArgument("'storeId' is required"));
              Result<int64_t> n = stores_of(c).Count(store_id, Json::MakeObject());
              if (!n.ok()) return c.Fail(n.status());
              c.Reply(200, Json::MakeObject({{"count", Json(*n)}}));
            },
            .query_params = {"storeId"}},
      Route{.method = "POST", .pattern = "/store/:storeId/:key", .access = Access::kUser,
            .summary = "Set a record: the body is the value (JSON with a JSON content type, else text)", .tag = "stores",
            .handler = [s](Call& c) { SetRecord(*s, c); }, .json_body = true},
      Route{.method = "PATCH", .pattern = "/store/:storeId/:key", .access = Access::kUser,
            .summary = "Change a record {key?, value?} (a new key renames it)", .tag = "stores",
            .handler = [s](Call& c) { PatchRecord(*s, c); }, .json_body = true},
      Route{.method = "DELETE", .pattern = "/store", .access = Access::kUser,
            .summary = "Delete records: body [{key, storeId}] → {deletedCount}", .tag = "stores",
            .handler = [s](Call& c) { DeleteRecords(*s, c); }, .json_body = true},
      Route{.method = "GET", .pattern = "/store/download/:storeId", .access = Access::kUser,
            .summary = "Download a store's records (?format=json|csv)", .tag = "stores",
            .handler = [s](Call& c) { Download(*s, c); }, .query_params = {"format"}},
  };
  return router.AddAll(std::move(routes));
}

Status AddFileRoutes(Router& router, Services& services) {
  Services* s = &services;
  auto files_of = [s](const Call& c) -> FileStore& { return s->documents->FilesOf(c.user().user_id); };
  std::vector<Route> routes = {
      Route{.method = "POST", .pattern = "/files", .access = Access::kUser,
            .summary = "Upload a file: the body is the content, named by header uploader-file-name (chunked "
                       "uploads: uploader-file-id, uploader-chunk-number)",
            .tag = "files", .handler = [s](Call& c) { Upload(*s, c); }, .query_params = {"filename"},
            .success_status = 201},
      Route{.method = "GET", .pattern = "/files", .access = Access::kUser,
            .summary = "The caller's files (sort, offset, limit, filter=filename:~text; archived=true|all for "
                       "archived files)",
            .tag = "files", .handler = [s](Call& c) { ListFiles(*s, c); },
            .query_params = {"sort", "offset", "limit", "filter", "archived"}},
      Route{.method = "GET", .pattern = "/files/count", .access = Access::kUser,
            .summary = "{count} of the caller's files (archived=true|all as in GET /files)", .tag = "files",
            .handler = [files_of](Call& c) {
              Result<std::optional<bool>> archived = ArchivedQuery(c);
              if (!archived.ok()) return c.Fail(archived.status());
              Result<std::vector<FileInfo>> files = files_of(c).List();
              if (!files.ok()) return c.Fail(files.status());
              int64_t count = 0;
              for (const FileInfo& f : *files) count += !archived->has_value() || f.archived == **archived;
              c.Reply(200, Json::MakeObject({{"count", Json(count)}}));
            },
            .query_params = {"archived"}},
      Route{.method = "GET", .pattern = "/files/metadata/:fileId", .access = Access::kUser, .summary = "A file's metadata",
            .tag = "files",
            .handler = [files_of](Call& c) {
              Result<FileInfo> info = files_of(c).Info(c.Param("fileId"));
              if (!info.ok()) return c.Fail(info.status());
              c.Reply(200, info->ToJson());
            }},
      Route{.method = "GET", .pattern = "/files/:fileId", .access = Access::kUser, .summary = "A file's content",
            .tag = "files",
            .handler = [files_of](Call& c) {
              FileStore& files = files_of(c);
              Result<FileInfo> info = files.Info(c.Param("fileId"));
              if (!info.ok()) return c.Fail(info.status());
              Result<std::string> content = files.Read(c.Param("fileId"));
              if (!content.ok()) return c.Fail(content.status());
              HttpResponse response = HttpResponse::WithText(200, std::move(*content), info->content_type);
              response.SetHeader("Content-Disposition", "attachment; filename=\"" + SafeFilename(info->filename) + "\"");
              response.SetHeader("X-Content-Type-Options", "nosniff");
              c.Reply(std::move(response));
            }},
      Route{.method = "DELETE", .pattern = "/files/:fileId", .access = Access::kUser, .summary = "Delete a file → {}",
            .tag = "files",
            .handler = [files_of](Call& c) {
              if (Status st = files_of(c).Remove(c.Param("fileId")); !st.ok()) return c.Fail(st);
              c.Reply(200, Json::MakeObject());
            }},
  };
  return router.AddAll(std::move(routes));
}

}  // namespace flowkit::server
