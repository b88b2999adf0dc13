#include "api/multipart.h"

#include <cctype>

namespace openpromo::api {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// `name="file"` from a Content-Disposition value.
std::string param(std::string_view header, std::string_view key) {
  const std::string h = lower(header);
  const std::string needle = std::string(key) + "=";
  size_t pos = 0;
  while ((pos = h.find(needle, pos)) != std::string::npos) {
    if (pos == 0 || h[pos - 1] == ' ' || h[pos - 1] == ';') break;
    pos += needle.size();
  }
  if (pos == std::string::npos) return {};
  pos += needle.size();
  if (pos < header.size() && header[pos] == '"') {
    const auto end = header.find('"', pos + 1);
    return std::string(
        header.substr(pos + 1, end == std::string::npos ? std::string::npos : end - pos - 1));
  }
  const auto end = header.find(';', pos);
  return std::string(
      trim(header.substr(pos, end == std::string::npos ? std::string::npos : end - pos)));
}

}  // namespace

std::optional<std::string> multipart_boundary(std::string_view content_type) {
  const auto semi = content_type.find(';');
  if (lower(trim(content_type.substr(0, semi))) != "multipart/form-data") return std::nullopt;
  if (semi == std::string_view::npos) return std::nullopt;
  std::string b = param(content_type.substr(semi + 1), "boundary");
  if (b.empty() || b.size() > 200) return std::nullopt;
  return b;
}

Result<std::vector<FormPart>> parse_multipart(std::string_view body, std::string_view boundary) {
  const std::string delimiter = "--" + std::string(boundary);
  std::vector<FormPart> parts;
  size_t pos = body.find(delimiter);
  if (pos == std::string_view::npos) return Error::invalid_payload("multipart body has no parts");
  for (;;) {
    pos += delimiter.size();
    if (body.substr(pos, 2) == "--") break;  // closing delimiter
    if (body.substr(pos, 2) == "\r\n") {
      pos += 2;
    } else if (body.substr(pos, 1) == "\n") {
      pos += 1;
    } else {
      return Error::invalid_payload("malformed multipart delimiter");
    }
    const size_t next = body.find(delimiter, pos);
    if (next == std::string_view::npos)
      return Error::invalid_payload("unterminated multipart part");
    std::string_view part = body.substr(pos, next - pos);
    // The CRLF before the next delimiter belongs to the delimiter.
    if (part.ends_with("\r\n")) {
      part.remove_suffix(2);
    } else if (part.ends_with("\n")) {
      part.remove_suffix(1);
    }
    size_t header_end = part.find("\r\n\r\n");
    size_t body_start = header_end == std::string_view::npos ? 0 : header_end + 4;
    if (header_end == std::string_view::npos) {
      header_end = part.find("\n\n");
      if (header_end == std::string_view::npos)
        return Error::invalid_payload("multipart part has no header");
      body_start = header_end + 2;
    }
    FormPart p;
    std::string_view headers = part.substr(0, header_end);
    while (!headers.empty()) {
      const auto eol = headers.find('\n');
      std::string_view line = trim(headers.substr(0, eol));
      headers = eol == std::string_view::npos ? std::string_view{} : headers.substr(eol + 1);
      const auto colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      const std::string name = lower(trim(line.substr(0, colon)));
      const std::string_view value = trim(line.substr(colon + 1));
      if (name == "content-disposition") {
        p.name = param(value, "name");
        p.filename = param(value, "filename");
      } else if (name == "content-type") {
        p.content_type = std::string(value);
      }
    }
    p.data = std::string(part.substr(body_start));
    parts.push_back(std::move(p));
    pos = next;
  }
  return parts;
}

Result<std::vector<std::vector<std::string>>> parse_csv(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // UTF-8 byte order mark
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  bool field_started = false;
  auto end_field = [&] {
    row.push_back(std::move(field));
    field.clear();
    field_started = false;
  };
  auto end_row = [&] {
    end_field();
    const bool empty = row.size() == 1 && row[0].empty();
    if (!empty) rows.push_back(std::move(row));
    row.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        field += c;
      }
      continue;
    }
    if (c == '"' && !field_started) {
      quoted = true;
      field_started = true;
    } else if (c == ',') {
      end_field();
    } else if (c == '\n') {
      end_row();
    } else if (c == '\r') {
      // part of CRLF
    } else {
      field += c;
      field_started = true;
    }
  }
  if (quoted) return Error::invalid_payload("CSV has an unterminated quoted field");
  if (field_started || !row.empty() || !field.empty()) end_row();
  return rows;
}

std::string csv_column_key(std::string header) {
  for (char& c : header) {
    c = c == ' ' || c == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return header;
}

}  // namespace openpromo::api
