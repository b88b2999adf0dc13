// `openpromo demo seed`: fills a project with a sample catalog, customers, a segment and
// campaigns of every type, so a newcomer can try the demo store at once (issue 20, spec 18.6).
#pragma once

#include <string>
#include <vector>

#include "core/error.h"
#include "model/project.h"
#include "store/store.h"

namespace openpromo::api {

struct DemoSeedReport {
  bool already_seeded = false;       // the project had the demo catalog: nothing was added
  std::vector<std::string> created;  // "campaign Flash sale (camp_...)", ...
};

// Every object is created through the public API in-process (the same routes, validation and
// transactions an SDK would get), with a key made for the purpose. Seeding twice adds nothing.
Result<DemoSeedReport> seed_demo(Store& store, const Project& project);

}  // namespace openpromo::api
