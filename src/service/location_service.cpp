#include "service/location_service.h"

#include "core/crypto.h"
#include "engine/geo.h"
#include "service/key_service.h"
#include "store/location_repository.h"

namespace openpromo {
namespace {

Status check_name(const std::optional<std::string>& name) {
  if (name && (name->empty() || name->size() > 200)) {
    return Error{400, "invalid_location", "Invalid location", "name: 1 to 200 characters", {}, {}};
  }
  return {};
}

engine::LocationIndex::Entry entry_of(const Location& l) {
  engine::LocationIndex::Entry e{l.id, nullptr, {}};
  auto shape = engine::parse_shape(l.shape);
  if (shape.ok()) {
    e.shape = std::move(*shape);
  } else {
    e.broken = shape.error().details;
  }
  return e;
}

}  // namespace

std::shared_ptr<const engine::LocationIndex> compile_locations(
    const std::vector<Location>& locations) {
  std::vector<engine::LocationIndex::Entry> entries;
  entries.reserve(locations.size());
  for (const Location& l : locations) entries.push_back(entry_of(l));
  return engine::LocationIndex::build(std::move(entries));
}

rules::LocationResolver location_resolver_in(UnitOfWork& tx, const Scope& scope) {
  return
      [&tx, scope](const std::vector<std::string>& ids,
                   const std::string& field) -> Result<std::shared_ptr<const rules::LocationSet>> {
        std::vector<engine::LocationIndex::Entry> entries;
        for (const std::string& id : ids) {
          OP_ASSIGN(auto found, LocationRepository(tx).find(scope, id));
          if (found) entries.push_back(entry_of(*found));
        }
        return engine::LocationIndex::build(std::move(entries))->set_of(ids, field);
      };
}

Result<Location> LocationService::create(const Principal& who, std::optional<std::string> name,
                                         std::optional<Json> shape) {
  OP_TRY(require_admin(who, "create locations"));
  if (!name) return Error{400, "invalid_location", "Invalid location", "name: is required", {}, {}};
  if (!shape) {
    return Error{400, "invalid_location", "Invalid location", "shape: is required", {}, {}};
  }
  OP_TRY(check_name(name));
  if (auto parsed = engine::parse_shape(*shape); !parsed.ok()) return parsed.error();
  Location l;
  l.id = new_id("loc_");
  l.project_id = who.project_id;
  l.name = std::move(*name);
  l.shape = std::move(*shape);
  l.created_at = now_utc();
  OP_TRY(store_.in_write(
      [&](UnitOfWork& tx) { return LocationRepository(tx).insert(who.scope(), l); }));
  return l;
}

Result<Location> LocationService::get(const Principal& who, std::string_view id) {
  OP_ASSIGN(auto tx, store_.statements());
  OP_ASSIGN(auto found, LocationRepository(tx).find(who.scope(), id));
  if (!found) return Error::not_found("location", std::string(id));
  return std::move(*found);
}

Result<Page<Location>> LocationService::list(const Principal& who, const ListQuery& query) {
  return store_.in_snapshot(
      [&](UnitOfWork& tx) { return LocationRepository(tx).list(who.scope(), query); });
}

Result<Location> LocationService::update(const Principal& who, std::string_view id,
                                         std::optional<std::string> name,
                                         std::optional<Json> shape) {
  OP_TRY(require_admin(who, "change locations"));
  OP_TRY(check_name(name));
  if (shape) {
    if (auto parsed = engine::parse_shape(*shape); !parsed.ok()) return parsed.error();
  }
  return store_.in_write([&](UnitOfWork& tx) -> Result<Location> {
    LocationRepository locations(tx);
    OP_ASSIGN(auto found, locations.find(who.scope(), id));
    if (!found) return Error::not_found("location", std::string(id));
    Location l = std::move(*found);
    if (name) l.name = *name;
    if (shape) l.shape = *shape;
    l.updated_at = now_utc();
    OP_TRY(locations.update(who.scope(), l));
    return l;
  });
}

Status LocationService::remove(const Principal& who, std::string_view id) {
  OP_TRY(require_admin(who, "delete locations"));
  return store_.in_write([&](UnitOfWork& tx) -> Status {
    LocationRepository locations(tx);
    OP_ASSIGN(auto users, locations.users_of(who.scope(), id));
    if (!users.empty()) {
      std::string names;
      for (const std::string& n : users) names += (names.empty() ? "" : ", ") + n;
      return Error::resource_in_use("location", std::string(id),
                                    "The location is used by: " + names);
    }
    return locations.remove(who.scope(), id);
  });
}

}  // namespace openpromo
