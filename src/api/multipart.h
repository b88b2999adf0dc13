// multipart/form-data bodies (RFC 7578), for CSV uploads (`file` field).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace openpromo::api {

struct FormPart {
  std::string name;
  std::string filename;
  std::string content_type;
  std::string data;
};

// The boundary parameter of a multipart/form-data Content-Type, or nullopt if it is not one.
std::optional<std::string> multipart_boundary(std::string_view content_type);
// Splits a body into parts; a malformed body is 400 invalid_payload.
Result<std::vector<FormPart>> parse_multipart(std::string_view body, std::string_view boundary);

// RFC 4180 CSV: comma separated, fields optionally in double quotes (a doubled quote is a
// quote), CRLF or LF line ends. Empty lines are skipped.
Result<std::vector<std::vector<std::string>>> parse_csv(std::string_view text);
// A CSV header as a field name: lower case, spaces and dashes as underscores ("Source Id" ->
// "source_id").
std::string csv_column_key(std::string header);

}  // namespace openpromo::api
