#include "service/catalog_cache.h"

#include "engine/definitions.h"
#include "service/paging.h"

namespace openpromo {
namespace {

void put_date(JsonObject& o, const char* key, const std::optional<Instant>& own,
              const std::optional<Instant>& inherited) {
  if (own) {
    o[key] = format_iso8601(*own);
  } else if (inherited) {
    o[key] = format_iso8601(*inherited);
  }
}

}  // namespace

std::vector<engine::Rule> CatalogSnapshot::rules_of(
    const std::vector<std::string>& object_ids) const {
  std::vector<engine::Rule> out;
  for (const std::string& object : object_ids) {
    const auto it = rules_by_object.find(object);
    if (it == rules_by_object.end()) continue;
    for (const std::string& rule_id : it->second) {
      bool seen = false;
      for (const auto& r : out) seen = seen || r.id == rule_id;
      const auto rule = rules.find(rule_id);
      if (!seen && rule != rules.end()) out.push_back(rule->second);
    }
  }
  return out;
}

CatalogCache::CatalogCache(Store& store, CatalogCacheOptions options)
    : store_(store), options_(options) {
  if (options_.use_notifications) {
    subscription_ = store_.watch_catalog([this](const std::optional<std::string>& project) {
      if (options_.drop_notifications) return;
      if (project) {
        changed(*project);
      } else {
        changed_everywhere();
      }
      std::lock_guard lock(mutex_);
      ++stats_.notifications;
    });
  }
}

CatalogCache::~CatalogCache() {
  subscription_.reset();
}

void CatalogCache::changed(const std::string& project_id) {
  std::lock_guard lock(mutex_);
  ++by_project_[project_id].change_seq;
}

void CatalogCache::changed_everywhere() {
  std::lock_guard lock(mutex_);
  for (auto& [id, entry] : by_project_) ++entry.change_seq;
}

CatalogCache::Stats CatalogCache::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

Result<std::shared_ptr<const CatalogSnapshot>> CatalogCache::current(const Project& project) {
  if (subscription_) {
    std::lock_guard lock(mutex_);
    const auto it = by_project_.find(project.id);
    if (it != by_project_.end()) {
      const Entry& e = it->second;
      if (e.snapshot && e.checked_seq == e.change_seq &&
          std::chrono::steady_clock::now() - e.checked_at < options_.recheck_interval &&
          e.snapshot->zone.name() == project.time_zone) {
        return e.snapshot;
      }
    }
  }
  return check(project);
}

Result<std::shared_ptr<const CatalogSnapshot>> CatalogCache::refresh(const Project& project) {
  return check(project);
}

Result<std::shared_ptr<const CatalogSnapshot>> CatalogCache::check(const Project& project) {
  // The change sequence is sampled before the version is read: a notification that lands during
  // the read leaves the entry marked changed, so the next call checks again.
  const auto started = std::chrono::steady_clock::now();
  uint64_t seq = 0;
  {
    std::lock_guard lock(mutex_);
    seq = by_project_[project.id].change_seq;
    ++stats_.version_checks;
  }
  OP_ASSIGN(const int64_t version, store_.catalog_version(project.id));
  std::shared_ptr<const CatalogSnapshot> snapshot;
  {
    std::lock_guard lock(mutex_);
    Entry& e = by_project_[project.id];
    if (e.snapshot && e.snapshot->version == version &&
        e.snapshot->zone.name() == project.time_zone) {
      snapshot = e.snapshot;
      if (e.checked_seq <= seq) {
        e.checked_seq = seq;
        e.checked_at = started;
      }
      return snapshot;
    }
  }
  OP_ASSIGN(snapshot, load(project, version));
  std::lock_guard lock(mutex_);
  ++stats_.rebuilds;
  Entry& e = by_project_[project.id];
  if (!e.snapshot || e.snapshot->version <= version) {
    e.snapshot = snapshot;
    if (e.checked_seq <= seq) {
      e.checked_seq = seq;
      e.checked_at = started;
    }
  }
  return snapshot;
}

Result<std::shared_ptr<const CatalogSnapshot>> CatalogCache::load(const Project& project,
                                                                  int64_t version) {
  auto s = std::make_shared<CatalogSnapshot>();
  s->version = version;
  {
    std::lock_guard lock(mutex_);
    auto zone = zones_.find(project.time_zone);
    if (zone == zones_.end()) {
      OP_ASSIGN(TimeZone loaded, TimeZone::load(project.time_zone));
      zone = zones_.emplace(project.time_zone, std::move(loaded)).first;
    }
    s->zone = zone->second;
  }
  const std::string& p = project.id;
  OP_ASSIGN(auto categories,
            read_all<Category>([&](const ListQuery& q) { return store_.list_categories(p, q); }));
  for (const Category& c : categories) {
    engine::CategoryRef ref;
    ref.id = c.id;
    ref.name = c.name;
    ref.hierarchy = c.hierarchy;
    ref.source = JsonObject{{"id", c.id},
                            {"name", c.name},
                            {"hierarchy", c.hierarchy},
                            {"created_at", format_iso8601(c.created_at)},
                            {"object", "category"}};
    s->categories.emplace(c.id, std::move(ref));
  }
  OP_ASSIGN(auto campaigns,
            read_all<Campaign>([&](const ListQuery& q) { return store_.list_campaigns(p, q); }));
  for (Campaign& c : campaigns) s->campaigns.emplace(c.id, std::move(c));
  OP_ASSIGN(auto tiers, read_all<PromotionTier>([&](const ListQuery& q) {
              return store_.list_tiers(p, std::nullopt, q);
            }));
  for (PromotionTier& t : tiers) s->tiers.emplace(t.id, std::move(t));
  OP_ASSIGN(auto stacks, read_all<PromotionStack>([&](const ListQuery& q) {
              return store_.list_stacks(p, std::nullopt, q);
            }));
  for (PromotionStack& st : stacks) s->stacks.emplace(st.id, std::move(st));
  OP_ASSIGN(auto rules, read_all<ValidationRule>([&](const ListQuery& q) {
              return store_.list_validation_rules(p, q);
            }));
  for (const ValidationRule& r : rules) {
    // A stored rule always compiled when it was written; one that no longer does (an older
    // engine's rule) is left out rather than failing every validation of the project.
    auto compiled = engine::compile_rule(r.id, r.definition);
    if (compiled.ok()) s->rules.emplace(r.id, std::move(compiled).value());
  }
  OP_ASSIGN(auto segments,
            read_all<Segment>([&](const ListQuery& q) { return store_.list_segments(p, q); }));
  for (Segment& seg : segments) {
    CompiledSegment c{std::move(seg), std::nullopt};
    if (const Json* f = c.segment.definition.if_contains("filter");
        f && c.segment.type != "static") {
      auto filter = rules::Filter::compile(*f);
      if (!filter.ok()) continue;  // stored filters compiled when written
      c.filter = std::move(*filter);
    }
    s->segments.push_back(std::move(c));
  }
  OP_ASSIGN(auto collections, read_all<ProductCollection>([&](const ListQuery& q) {
              return store_.list_collections(p, q);
            }));
  for (ProductCollection& pc : collections) {
    auto compiled = CompiledCollection::compile(std::move(pc));
    if (compiled.ok()) s->collections.push_back(std::move(*compiled));
  }
  OP_ASSIGN(auto assignments, store_.all_rule_assignments(p));
  for (const RuleAssignment& a : assignments) {
    s->rules_by_object[a.related_object_id].push_back(a.rule_id);
  }
  for (const auto& [id, tier] : s->tiers) {
    const auto campaign = s->campaigns.find(tier.campaign_id);
    const Campaign* c = campaign == s->campaigns.end() ? nullptr : &campaign->second;
    JsonObject def = tier.definition;
    def["object"] = "promotion_tier";
    def["id"] = tier.id;
    def["name"] = tier.name;
    def["active"] = tier.active;
    def.erase("start_date");
    def.erase("expiration_date");
    put_date(def, "start_date", tier.start_date, c ? c->start_date : std::nullopt);
    put_date(def, "expiration_date", tier.expiration_date, c ? c->expiration_date : std::nullopt);
    // A tier whose campaign is binned is inactive.
    def["campaign"] = c ? JsonObject{{"id", c->id}, {"name", c->name}, {"active", c->active}}
                        : JsonObject{{"id", tier.campaign_id}, {"active", false}};
    auto inc = engine::incentive_from_json(def, s->rules_of({tier.id, tier.campaign_id}));
    if (!inc.ok()) continue;  // an unreadable definition: the tier is reported as not found
    const std::optional<std::string> category =
        tier.category_id ? tier.category_id : (c ? c->category_id : std::nullopt);
    if (category) {
      if (auto cat = s->categories.find(*category); cat != s->categories.end()) {
        inc->category = cat->second;
      }
    }
    s->tier_incentives.emplace(id,
                               std::make_shared<const engine::Incentive>(std::move(inc).value()));
  }
  return std::shared_ptr<const CatalogSnapshot>(std::move(s));
}

}  // namespace openpromo
