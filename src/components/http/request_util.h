// What the outbound HTTP components share: reading their url and headers, and turning a response
// into Appmixer's output {headers, statusCode, request, body} or its error.
#pragma once

#include <string>

#include "flowkit/component.h"
#include "flowkit/http_client.h"

namespace flowkit::components::http {

// How the response body becomes text (axios's responseEncoding).
enum class ResponseEncoding : uint8_t { kUtf8, kBase64, kHex, kLatin1, kAscii, kUtf16Le };

// content.url: a non-empty string, else kInvalidArgument.
Result<std::string> RequireUrl(const Json& content);

// headers given as an object or as JSON text of one ("" and null = none). Text that does not
// parse: kInvalidArgument "Message property 'headers' parse error. …" (kCancelled when
// `cancel_on_error`, as Appmixer's binary upload answers).
Result<HttpHeaders> ParseHeaders(const Json& headers, bool cancel_on_error);

// null, "", "noEncoding" and "utf8" = UTF-8; also base64, hex, latin1/binary, ascii,
// utf16le/ucs2. Anything else: kInvalidArgument.
Result<ResponseEncoding> ParseResponseEncoding(const Json& value);

// A Content-Type value as {type, parameters} (the content-type package's parse); {} when it is
// not a valid media type.
Json ParseContentType(std::string_view value);

// Sends `request` and answers Appmixer's output: {headers (names lower-case, content-type
// parsed), statusCode, request: {uri, method (lower-case), headers}, body (JSON-parsed when it
// is JSON)}. A non-2xx answer fails "Request failed with status code N[: <body.message>]" with
// the status's code (Status::FromHttpStatus: 4xx final, 5xx retried); a failed request fails
// with the client's error.
Result<Json> SendRequest(HttpClient& client, HttpRequest request, ResponseEncoding encoding);

}  // namespace flowkit::components::http
