#include "core/error.h"

namespace openpromo {

Error Error::forbidden(std::string resource_type, std::string resource_id) {
  Error e;
  e.code = 403;
  e.key = "forbidden";
  e.message = "Forbidden";
  e.details = "Resource " + resource_type + " with id " + resource_id +
              " is not accessible in given context";
  e.resource_id = std::move(resource_id);
  e.resource_type = std::move(resource_type);
  return e;
}

Error Error::not_found(std::string resource_type, std::string resource_id) {
  Error e;
  e.code = 404;
  e.key = "not_found";
  e.message = "Resource not found";
  e.details = "Cannot find " + resource_type + " with id " + resource_id;
  e.resource_id = std::move(resource_id);
  e.resource_type = std::move(resource_type);
  return e;
}

Error Error::invalid_payload(std::string details) {
  return Error{400, "invalid_payload", "Invalid payload", std::move(details), {}, {}};
}

Error Error::invalid_query_params(std::string details) {
  return Error{400, "invalid_query_params", "Invalid query params", std::move(details), {}, {}};
}

Error Error::duplicate_found(std::string resource_type, std::string details) {
  return Error{409, "duplicate_found",       "Duplicated resource found", std::move(details),
               {},  std::move(resource_type)};
}

Error Error::resource_in_use(std::string resource_type, std::string resource_id,
                             std::string details) {
  return Error{400,
               "resource_in_use",
               "Resource in use",
               std::move(details),
               std::move(resource_id),
               std::move(resource_type)};
}

Error Error::internal(std::string details) {
  return Error{500, "internal_error", "Internal server error", std::move(details), {}, {}};
}

Error Error::unavailable(std::string details) {
  return Error{503, "service_unavailable", "Service unavailable", std::move(details), {}, {}};
}

}  // namespace openpromo
