// Base64 as Node's Buffer does it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace flowkit::internal {

// Standard alphabet with '=' padding, or (url) the URL-safe alphabet without padding.
std::string Base64Encode(std::string_view bytes, bool url = false);
// Accepts both alphabets, padding or none, and skips white space; nullopt for other characters
// or data after padding.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace flowkit::internal
