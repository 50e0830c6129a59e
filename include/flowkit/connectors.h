// Declarative connectors: HTTP-API components described in JSON, loaded at start-up and run by
// one generic behaviour — no compiling.
//
// A connector directory holds, at any depth, `*.json` files of two kinds:
//
//   component file  {"manifest": {<Appmixer component.json>},
//                    "request":  {"method": "GET", "url": "https://api.acme.com/v1/contacts/{{input.id}}",
//                                 "query": {"limit": "{{input.limit}}"},
//                                 "headers": {"Authorization": "Bearer {{auth.accessToken}}"},
//                                 "basicAuth": {"username": "{{auth.username}}", "password": "{{auth.password}}"},
//                                 "body": <template>, "bodyType": "json" | "form" | "raw"},
//                    "output":   {"port": "out", "from": "/data", "each": false, "map": <template>}}
//   service file    {"service": "acme:crm", "type": "apiKey" | "pwd" | "oauth2", "definition": {...}}
//                   (auth.h's ServiceAuth: how accounts of the service are connected); by
//                   convention `auth.json`, as in Appmixer connector directories
//
// One file per component keeps each small and lets generated and hand-written connectors sit
// side by side; a file is told apart by its keys (`manifest` vs `service` + `type`).
//
// Templates are JSON values whose strings may hold `{{root.path.to.value}}` placeholders. Roots
// in `request`: input (the in-port message), properties, auth (Context::auth()), config. In
// `output.map` also: response ({body, headers, statusCode}) and item (the value taken by `from`,
// one array element with `each`). A string that is exactly one placeholder keeps the value's JSON
// type; in a longer string values are written as text (objects as JSON). A string with a missing
// (undefined or null) placeholder is itself missing: object members and array elements that are
// missing are left out, so optional query parameters, headers and body fields simply disappear.
// In `url` every value is percent-encoded (encodeURIComponent) except a placeholder that starts
// the URL, a base such as "{{config.baseUrl}}/contacts", inserted as is; a missing one fails the
// call (kInvalidArgument). Query values: arrays repeat the key, objects are sent as JSON text.
//
// The behaviour (one per component instance; concurrent): for every message on the first in-port
// it builds the request, sends it through Context::http(), and on an HTTP 401 calls
// Context::RefreshAuth() once and sends again with the new secrets (a failed refresh fails the
// call with kUnauthenticated, final). A non-2xx answer fails "Request failed with status code N"
// (4xx final; 5xx, 408 and 429 retried), as the HTTP components do. A 2xx answer's JSON body
// (text when not JSON) is read at the JSON pointer `output.from` (default: the whole body); with
// `each` every element of that array is sent as its own message; `map`, when given, builds each
// message. A missing value sends nothing with `each` and {} without. No `output`: nothing is sent.
//
// Threading: LoadConnectors and RegisterConnectors are set-up calls (not thread-safe against
// lookups in the same registry); the registered behaviours are thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "flowkit/auth.h"
#include "flowkit/json.h"
#include "flowkit/manifest.h"
#include "flowkit/registry.h"
#include "flowkit/status.h"

namespace flowkit {

// One declarative component.
struct Connector {
  std::shared_ptr<const Manifest> manifest;
  Json request;                  // the request template (object)
  Json output = Json::Undefined();  // the output mapping (object), Undefined when absent
  std::string file;              // where it was read from ("" when parsed from memory)
};

struct ConnectorSet {
  std::vector<Connector> components;  // sorted by component name
  // Service authentication definitions: what flowkitd registers into its AuthRegistry.
  std::vector<ServiceAuth> auth;
};

// Parses one component document (the `{"manifest", "request", "output"}` object). Errors are
// kInvalidArgument "<file>: <JSON pointer>: <problem>" for the first problem (manifest validation
// via Manifest::FromJson, a missing url, an unknown template root, an output port the manifest
// lacks, ...), with a count of the rest.
Result<Connector> ParseConnector(const Json& doc, const std::string& file = "");

// Loads every `*.json` file below `dir` (sorted, recursive). kNotFound when `dir` is not a
// directory; kInvalidArgument naming the file and JSON pointer for bad JSON, a file that is
// neither kind, a bad component or service definition, or a component or service defined twice.
Result<ConnectorSet> LoadConnectors(const std::string& dir);

// Registers each component as a runnable type (ComponentOptions::concurrent), replacing a
// manifest-only type of the same name (e.g. from LoadManifestDirectory). kAlreadyExists naming
// the component and its file when a runnable type has the name; nothing is registered then.
Status RegisterConnectors(const ConnectorSet& connectors, ComponentRegistry& registry);

// Registers each service definition. kAlreadyExists naming the service when it has one.
Status RegisterConnectorAuth(const ConnectorSet& connectors, AuthRegistry& registry);

}  // namespace flowkit
