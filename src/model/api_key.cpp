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
  switch (role) {
    case Role::kAdmin:
      return "admin";
    case Role::kUser:
      return "user";
    case Role::kRestricted:
      return "restricted";
  }
  return "restricted";
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
  if (text == "restricted") return Role::kRestricted;
  return std::nullopt;
}

}  // namespace openpromo
