// The OpenAPI 3 document, generated from the route table so it cannot drift from the routes.
#include "api/routes.h"
#include "flowkit/version.h"

namespace flowkit::server {
namespace {

// "/flows/:id" → "/flows/{id}".
std::string OpenApiPath(std::string_view pattern, Json* parameters) {
  std::string out;
  for (std::string_view segment : SplitPath(pattern)) {
    out += '/';
    if (!segment.empty() && segment[0] == ':') {
      std::string name(segment.substr(1));
      out += "{" + name + "}";
      parameters->Push(Json::MakeObject({{"name", Json(name)}, {"in", Json("path")}, {"required", Json(true)},
                                         {"schema", Json::MakeObject({{"type", Json("string")}})}}));
    } else {
      out += segment;
    }
  }
  return out.empty() ? "/" : out;
}

Json ErrorSchema() {
  return Json::MakeObject(
      {{"type", Json("object")},
       {"required", Json::MakeArray({Json("error"), Json("message"), Json("statusCode")})},
       {"properties", Json::MakeObject({{"error", Json::MakeObject({{"type", Json("string")}})},
                                        {"message", Json::MakeObject({{"type", Json("string")}})},
                                        {"statusCode", Json::MakeObject({{"type", Json("integer")}})},
                                        {"details", Json::MakeObject()}})}});
}

Json ErrorResponse(std::string_view description) {
  return Json::MakeObject({{"description", Json(description)},
                           {"content", Json::MakeObject({{"application/json",
                                                          Json::MakeObject({{"schema", Json::MakeObject({{"$ref", Json("#/components/schemas/Error")}})}})}})}});
}

}  // namespace

Json OpenApiDocument(const Router& router, std::string_view server_url) {
  Json paths = Json::MakeObject();
  for (const auto& route : router.routes()) {
    Json parameters = Json::MakeArray();
    std::string path = OpenApiPath(route->pattern, &parameters);
    for (const std::string& q : route->query_params) {
      parameters.Push(Json::MakeObject({{"name", Json(q)}, {"in", Json("query")}, {"required", Json(false)},
                                        {"schema", Json::MakeObject({{"type", Json("string")}})}}));
    }
    Json operation = Json::MakeObject();
    operation.Set("summary", Json(route->summary));
    operation.Set("tags", Json::MakeArray({Json(route->tag)}));
    operation.Set("operationId", Json(route->method + " " + route->pattern));
    operation.Set("x-flowkit-access", Json(AccessName(route->access)));
    if (!parameters.empty()) operation.Set("parameters", parameters);
    if (route->json_body) {
      operation.Set("requestBody",
                    Json::MakeObject({{"required", Json(false)},
                                      {"content", Json::MakeObject({{"application/json",
                                                                     Json::MakeObject({{"schema", Json::MakeObject()}})}})}}));
    }
    if (route->access == Access::kUserOrSecret) {  // a token, or the capability in the query
      operation.Set("security", Json::MakeArray({Json::MakeObject({{"bearerAuth", Json::MakeArray()}}), Json::MakeObject()}));
    } else if (route->access != Access::kAnonymous) {
      operation.Set("security", Json::MakeArray({Json::MakeObject({{"bearerAuth", Json::MakeArray()}})}));
    } else {
      operation.Set("security", Json::MakeArray());
    }
    Json responses = Json::MakeObject();
    responses.Set(std::to_string(route->success_status), Json::MakeObject({{"description", Json("success")}}));
    responses.Set("400", ErrorResponse("bad input (the message names the problem)"));
    if (route->access != Access::kAnonymous) {
      responses.Set("401", ErrorResponse("missing, invalid or expired token"));
      responses.Set("429", ErrorResponse("rate limit; see Retry-After"));
    }
    if (route->access == Access::kAdmin) responses.Set("403", ErrorResponse("not an administrator"));
    responses.Set("404", ErrorResponse("not found (or not visible to the caller)"));
    operation.Set("responses", responses);
    Json& item = *[&]() -> Json* {
      if (Json* existing = paths.Find(path)) return existing;
      return &paths.Set(path, Json::MakeObject());
    }();
    if (route->method == "*") {
      for (const char* m : {"get", "post", "put", "patch", "delete"}) {
        Json op = operation;
        op.Set("operationId", Json(std::string(m) + " " + route->pattern));
        item.Set(m, op);
      }
    } else {
      std::string method = route->method;
      for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      item.Set(method, operation);
    }
  }
  Json doc = Json::MakeObject();
  doc.Set("openapi", Json("3.0.3"));
  doc.Set("info", Json::MakeObject({{"title", Json("flowkitd REST API")},
                                    {"version", Json(std::string(Version()))},
                                    {"description", Json("Appmixer-compatible REST API of flowkit's server")}}));
  doc.Set("servers", Json::MakeArray({Json::MakeObject({{"url", Json(server_url)}})}));
  doc.Set("paths", paths);
  doc.Set("components",
          Json::MakeObject({{"securitySchemes",
                             Json::MakeObject({{"bearerAuth", Json::MakeObject({{"type", Json("http")},
                                                                                {"scheme", Json("bearer")},
                                                                                {"bearerFormat", Json("JWT")}})}})},
                            {"schemas", Json::MakeObject({{"Error", ErrorSchema()}})}}));
  return doc;
}

}  // namespace flowkit::server
