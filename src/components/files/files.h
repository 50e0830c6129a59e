// appmixer.utils.files.*: stored files (Context::files()) loaded, saved, removed, downloaded.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "flowkit/json.h"
#include "flowkit/status.h"

namespace flowkit::components::files {

// Node's Buffer.from(text, encoding): the bytes `text` (UTF-8) stands for. utf8/utf-8; ascii,
// latin1/binary (the low byte of each UTF-16 unit); utf16le/ucs2; base64 (either alphabet);
// hex. Unlike Node, malformed base64 or hex is an error rather than silently cut short.
// kInvalidArgument for an unknown encoding or malformed text.
Result<std::string> EncodeText(std::string_view text, const Json& encoding);

// Node's readline over `bytes` (crlfDelay Infinity): lines end at LF, CR LF or a lone CR; a
// trailing line break adds no empty line. Invalid UTF-8 reads as U+FFFD.
std::vector<std::string> SplitLines(std::string_view bytes);

}  // namespace flowkit::components::files
