// The `{{root.path}}` templates of declarative connectors (flowkit/connectors.h has the rules).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "flowkit/diagnostics.h"
#include "flowkit/json.h"
#include "flowkit/status.h"

namespace flowkit::connectors {

// Reports every malformed placeholder ("{{" without "}}", an empty path) and every placeholder
// whose root is not in `roots`, at `pointer` (and below it) in `diagnostics`.
void CheckTemplate(const Json& tmpl, const std::string& pointer, std::span<const std::string_view> roots,
                   Diagnostics* diagnostics);

// Evaluates `tmpl` against `data` ({root: value}). Missing strings, members and elements are
// Undefined / left out.
Json Evaluate(const Json& tmpl, const Json& data);

// Evaluates a URL template: every value percent-encoded except one that starts the URL (a base
// URL); a missing value is kInvalidArgument naming its placeholder.
Result<std::string> EvaluateUrl(std::string_view tmpl, const Json& data);

// A value as it appears inside a longer string or a query: strings verbatim, objects and arrays
// as JSON text, numbers and booleans as JavaScript writes them.
std::string ValueText(const Json& value);

}  // namespace flowkit::connectors
