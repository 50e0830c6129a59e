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
//                    "output":   {"port": "out", "from": "/data", "each": false, "map": <template>},
//                    "pagination": {"type": "page" | "cursor" | "link", "maxPages": 10, ...},   (optional)
//                    "trigger":  {"key": "/id", "cursor": {"from": "/updated_at", "param": "since"},
//                                 "emitInitial": false}}                     (polling triggers only)
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
// The action behaviour (one per component instance; concurrent): for every message on the first in-port
// it builds the request, sends it through Context::http(), and on an HTTP 401 calls
// Context::RefreshAuth() once and sends again with the new secrets (a failed refresh fails the
// call with kUnauthenticated, final). A non-2xx answer fails "Request failed with status code N"
// (4xx final; 5xx, 408 and 429 retried), as the HTTP components do. A 2xx answer's JSON body
// (text when not JSON) is read at the JSON pointer `output.from` (default: the whole body); with
// `each` every element of that array is sent as its own message; `map`, when given, builds each
// message. A missing value sends nothing with `each` and {} without. No `output`: nothing is sent.
//
// Pagination (actions and triggers) reads more pages of the same request, at most `maxPages`
// (an integer ≥ 1, default 10; reaching it stops reading and logs a warning):
//   "page"    {"param": "page", "start": 1, "step": 1, "size": 50, "sizeParam": "per_page"}: the
//             query parameter `param` is `start` on the first page and grows by `step` (an offset
//             API: "param": "offset", "start": 0, "step": 50); `sizeParam`, when given, sends `size`.
//             Reading stops at a page with no items, or with fewer than `size` when it is given.
//   "cursor"  {"from": "/meta/next", "param": "cursor"}: the next page's query parameter `param`
//             is the value at the JSON pointer `from` of the body; stops when it is missing, null,
//             false, "" or the same as the last one.
//   "link"    {}: follows the response's `Link: <url>; rel="next"` (RFC 8288; relative targets
//             resolve against the page's URL), sent as is (the template's query is not added;
//             headers, auth and body are). A link to another origin (scheme, host, port) than the
//             first request's fails the call with kPermissionDenied (final); the HTTP client's
//             private-address policy applies to every page.
// Page parameters are set after the template's `query`, replacing one of the same name. Each
// page's body is read at `output.from`; the values are concatenated into one array (an array's
// elements, nothing for a missing or null value, any other value as one element), which then
// stands for "the value at `from`" (`each`, `map`'s `item`); `response` is the first page's.
// Every page goes through the 401 → RefreshAuth step (once per call); a page that fails fails the
// whole call, and nothing is sent.
//
// Polling triggers: a component file with a `trigger` section, whose manifest has no in-ports and
// `"tick": true` (Appmixer's polling-trigger convention). The engine calls it every
// EngineOptions::tick_interval_ms (flowkitd: --tick-interval); each tick sends the request
// (template roots: properties, auth, config and state — {cursor} once one is known — in
// `request`; those, response and item in `output.map`) and sends only the items it has not seen:
//   key         JSON pointer to an item's unique key ("" = the item itself). An item is new when its
//               key is not remembered. Remembered: the keys of the latest poll, then earlier ones,
//               at most 1,000 (so a poll should answer fewer than 1,000 items; page or use a
//               cursor). Items without a key are skipped.
//   cursor      {from: JSON pointer to an ordered value of an item (numbers compare as numbers,
//               strings as strings, e.g. ISO-8601 times), param?: a query parameter}. The largest
//               value seen is kept and given to the next request as {{state.cursor}} and, with
//               `param`, as that query parameter. Without `key` an item is new when its value is
//               greater than the kept one; with `key` the key decides and items whose value is
//               smaller than the kept one are left out.
//   emitInitial The first poll of a started flow only records what exists (Appmixer's "New X"
//               triggers) unless this is true.
// The items are those at `output.from` (every page's, concatenated); each new one is sent as its
// own message, in the answer's order (`"each": false`: one message holding the array of new
// items, none when there are none). What a trigger remembers is its component state ("trigger":
// {polled, cursor, seen}): written only when a poll succeeds, so a failed poll (network, 5xx)
// neither loses nor repeats items; kept across an engine restart on a durable runtime; cleared
// when the flow stops, as all component state is, so the next start takes a new baseline.
//
// Threading: LoadConnectors and RegisterConnectors are set-up calls (not thread-safe against
// lookups in the same registry); the registered behaviours are thread-safe (actions are
// registered concurrent; a trigger is not, as its ticks read and write its state).
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
  Json pagination = Json::Undefined();  // the pagination section (object), Undefined when absent
  Json trigger = Json::Undefined();     // a polling trigger's section (object); Undefined: an action
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
// lacks, a trigger on a component with in-ports or without "tick": true, an unknown pagination
// type, a bad JSON pointer, maxPages < 1, ...), with a count of the rest.
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
