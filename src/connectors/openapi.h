// Declarative connectors from an OpenAPI 3.0/3.1 document (JSON): one connector per operation
// plus the service's auth definition. What `flowkit openapi` runs; flowkit/connectors.h has the
// connector format.
#pragma once

#include <string>
#include <vector>

#include "flowkit/json.h"
#include "flowkit/status.h"

namespace flowkit::connectors {

struct OpenApiOptions {
  std::string vendor = "openapi";  // the component names' vendor part
  std::string service;             // empty: info.title, sanitised
  std::string module = "core";
};

struct GeneratedFile {
  std::string path;  // relative to the output directory: "<Operation>.json", "auth.json"
  Json doc;
};

struct OpenApiConnectors {
  std::vector<GeneratedFile> files;   // connectors in document order, then auth.json (if any)
  std::vector<std::string> warnings;  // "<JSON pointer>: <what was left out and why>"
};

// Generates the connectors of every operation of `spec`:
// - name `<vendor>.<service>.<module>.<OperationId>` (operationId sanitised, PascalCase; method
//   and path when absent; made unique), label = summary;
// - in-port `in`: path, query and header parameters and the JSON (or form) request body's
//   properties as inputs, with their schemas (local $refs inlined) and inspector fields;
// - request: `servers[0].url` (variables at their defaults) + the path, parameters placed by
//   `in`, the body as JSON, form or raw text by its media type;
// - out-port `out`: the first 2xx JSON response; a top-level array is sent one message per
//   element (`each`), its items' properties as the port's options;
// - auth: the first security scheme of `security` (else of components.securitySchemes) becomes
//   auth.json (`<vendor>:<service>`) — apiKey in header/query/cookie and http bearer as
//   apiKey services, http basic as pwd, oauth2 authorizationCode as oauth2 — and its placement
//   in every request; operations with `security: []` get none.
// Every connector is checked with ParseConnector; an operation that cannot be expressed is left
// out with a warning. Errors (kInvalidArgument naming the JSON pointer): not an OpenAPI 3
// document, no absolute server URL, a $ref that is not local or leads nowhere.
Result<OpenApiConnectors> GenerateOpenApiConnectors(const Json& spec, const OpenApiOptions& options = {});

}  // namespace flowkit::connectors
