#include "model/api_key.h"

namespace openpromo {

std::string_view to_string(KeyKind kind) {
  switch (kind) {
    case KeyKind::kServer:
      return "server";
    case KeyKind::kClient:
      return "client";
    case KeyKind::kManagement:
      return "management";
  }
  return "server";
}

std::string_view to_string(Role role) {
  return role == Role::kAdmin ? "admin" : "user";
}

std::optional<KeyKind> key_kind_from_string(std::string_view text) {
  if (text == "server") return KeyKind::kServer;
  if (text == "client") return KeyKind::kClient;
  if (text == "management") return KeyKind::kManagement;
  return std::nullopt;
}

std::optional<Role> role_from_string(std::string_view text) {
  if (text == "admin") return Role::kAdmin;
  if (text == "user") return Role::kUser;
  return std::nullopt;
}

}  // namespace openpromo
