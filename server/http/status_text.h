// HTTP status codes: reason phrases for the status line.
#pragma once

#include <string_view>

namespace flowkit::server {

// "OK", "Not Found", ...; "Unknown" for codes without a registered phrase.
std::string_view StatusText(int status);

}  // namespace flowkit::server
