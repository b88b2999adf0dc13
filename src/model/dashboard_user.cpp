#include "model/dashboard_user.h"

namespace openpromo {

std::string_view to_string(DashboardRole role) {
  switch (role) {
    case DashboardRole::kAdmin:
      return "admin";
    case DashboardRole::kUser:
      return "user";
    case DashboardRole::kViewer:
      return "viewer";
    case DashboardRole::kRestricted:
      return "restricted";
  }
  return "viewer";
}

std::optional<DashboardRole> dashboard_role_from_string(std::string_view text) {
  if (text == "admin") return DashboardRole::kAdmin;
  if (text == "user") return DashboardRole::kUser;
  if (text == "viewer") return DashboardRole::kViewer;
  if (text == "restricted") return DashboardRole::kRestricted;
  return std::nullopt;
}

Role key_role_of(DashboardRole role) {
  switch (role) {
    case DashboardRole::kAdmin:
      return Role::kAdmin;
    case DashboardRole::kRestricted:
      return Role::kRestricted;
    case DashboardRole::kUser:
    case DashboardRole::kViewer:
      return Role::kUser;
  }
  return Role::kUser;
}

}  // namespace openpromo
