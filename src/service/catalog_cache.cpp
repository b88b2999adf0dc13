#include "service/catalog_cache.h"

#include <algorithm>

#include "engine/definitions.h"
#include "service/incentives.h"
#include "service/location_service.h"
#include "store/area_repository.h"
#include "store/campaign_repository.h"
#include "store/catalog_repository.h"
#include "store/category_repository.h"
#include "store/location_repository.h"
#include "store/promotion_repository.h"
#include "store/segment_repository.h"
#include "store/stacking_repository.h"
#include "store/validation_rule_repository.h"

namespace openpromo {

std::shared_ptr<CatalogSnapshot> compile_catalog(CatalogRows rows, const TimeZone& zone,
                                                 int64_t version, int week_start) {
  auto s = std::make_shared<CatalogSnapshot>();
  s->version = version;
  engine::Catalog& e = s->engine;
  e.version = static_cast<uint64_t>(version);
  e.zone = zone;
  e.week_start = week_start;
  if (rows.stacking) {
    const StackingSettings& st = *rows.stacking;
    if (st.unreadable) {
      e.stacking_broken = "the stored settings cannot be read: " + *st.unreadable;
    } else if (auto parsed = engine::parse_stacking_rules(Json(st.definition)); !parsed.ok()) {
      e.stacking_broken = "the stored settings no longer compile: " + parsed.error().details;
    } else {
      e.stacking = std::move(parsed).value();
    }
    if (!e.stacking_broken.empty()) {
      s->broken.push_back({"stacking_rules", "stacking rules " + st.id + ": " + e.stacking_broken});
    }
  }
  for (const Category& c : rows.categories) {
    engine::CategoryRef ref;
    ref.id = c.id;
    ref.name = c.name;
    ref.hierarchy = c.hierarchy;
    ref.source = JsonObject{{"id", c.id},
                            {"name", c.name},
                            {"hierarchy", c.hierarchy},
                            {"created_at", format_iso8601(c.created_at)},
                            {"object", "category"}};
    e.categories.emplace(c.id, std::move(ref));
  }

  // Locations, then segments and collections: a filter naming a broken location is broken, and
  // rules that name a broken segment or collection are broken too.
  s->locations = compile_locations(rows.locations);
  for (const Location& l : rows.locations) {
    if (auto shape = engine::parse_shape(l.shape); !shape.ok()) {
      s->broken.push_back({"location", "location " + l.id + ": " + shape.error().details});
    }
  }
  const rules::LocationResolver locations = s->locations->resolver();
  std::vector<std::pair<std::string, std::string>> broken_groups;  // id, why
  for (Segment& seg : rows.segments) {
    CompiledSegment c = compile_segment(std::move(seg), locations);
    if (c.filter) {
      for (const std::string& path : c.filter->location_paths()) {
        if (!path.starts_with("metadata.")) continue;
        std::string key = path.substr(9);
        if (std::find(s->customer_location_keys.begin(), s->customer_location_keys.end(), key) ==
            s->customer_location_keys.end()) {
          s->customer_location_keys.push_back(std::move(key));
        }
      }
    }
    if (!c.broken.empty()) {
      broken_groups.emplace_back(c.segment.id, "segment " + c.segment.id + ": " + c.broken);
      s->broken.push_back({"segment", "segment " + c.segment.id + ": " + c.broken});
    }
    s->segments.push_back(std::move(c));
  }
  for (ProductCollection& pc : rows.collections) {
    CompiledCollection c = CompiledCollection::compile(std::move(pc), locations);
    // Membership is decided per cart line by validation (engine::Collection::by_line).
    e.collections[c.collection.id].by_line = true;
    if (!c.broken.empty()) {
      broken_groups.emplace_back(c.collection.id,
                                 "collection " + c.collection.id + ": " + c.broken);
      s->broken.push_back({"collection", "collection " + c.collection.id + ": " + c.broken});
    }
    s->collections.push_back(std::move(c));
  }

  for (const ValidationRule& r : rows.rules) {
    engine::Rule rule;
    rule.id = r.id;
    if (r.unreadable) {
      rule.broken = "the stored rule cannot be read: " + *r.unreadable;
    } else if (auto compiled = engine::compile_rule(r.id, r.definition); !compiled.ok()) {
      rule.broken = "the stored rule no longer compiles: " + compiled.error().details;
    } else {
      rule = std::move(compiled).value();
      // Ids are opaque random tokens: a rule's text holds one only if it names it.
      const std::string text = to_json_text(r.definition);
      for (const auto& [id, why] : broken_groups) {
        if (text.find(id) != std::string::npos) {
          rule.broken = "it names " + why;
          rule.rules.reset();
          break;
        }
      }
    }
    if (!rule.broken.empty()) {
      s->broken.push_back({"validation_rule", "validation rule " + r.id + ": " + rule.broken});
    }
    e.rules.emplace(r.id, std::move(rule));
  }
  for (const RuleAssignment& a : rows.assignments) {
    e.rules_by_object[a.related_object_id].push_back(a.rule_id);
  }

  for (Campaign& c : rows.campaigns) {
    engine::CampaignEntry entry;
    entry.id = c.id;
    entry.name = c.name;
    entry.active = c.active;
    entry.promotion = c.campaign_type == CampaignType::kPromotion;
    if (c.category_id) {
      if (auto cat = e.categories.find(*c.category_id); cat != e.categories.end()) {
        entry.category = cat->second;
      }
    }
    if (!entry.promotion) {
      auto tmpl = std::make_shared<const engine::Incentive>(template_incentive(c, e));
      if (!tmpl->broken.empty()) {
        s->broken.push_back({"campaign", "campaign " + c.id + ": " + tmpl->broken});
      }
      entry.voucher_template = std::move(tmpl);
    }
    e.campaigns.emplace(c.id, std::move(entry));
    s->campaigns.emplace(c.id, std::move(c));
  }
  std::sort(rows.tiers.begin(), rows.tiers.end(),
            [](const PromotionTier& a, const PromotionTier& b) {
              return a.hierarchy != b.hierarchy ? a.hierarchy < b.hierarchy : a.id < b.id;
            });
  for (const PromotionTier& t : rows.tiers) {
    const auto campaign = s->campaigns.find(t.campaign_id);
    const Campaign* c = campaign == s->campaigns.end() ? nullptr : &campaign->second;
    auto inc = std::make_shared<const engine::Incentive>(tier_incentive(t, c, e));
    if (!inc->broken.empty()) {
      s->broken.push_back({"promotion_tier", "promotion tier " + t.id + ": " + inc->broken});
    }
    e.tiers.emplace(t.id, std::move(inc));
    if (auto entry = e.campaigns.find(t.campaign_id); entry != e.campaigns.end()) {
      entry->second.tier_ids.push_back(t.id);
    }
  }
  for (PromotionTier& t : rows.tiers) s->tiers.emplace(t.id, std::move(t));
  for (PromotionStack& st : rows.stacks) {
    auto& tiers = s->stack_tiers[st.id];
    const auto stack_category =
        st.category_id ? e.categories.find(*st.category_id) : e.categories.end();
    for (const std::string& id : st.tier_ids) {
      const auto inc = e.tiers.find(id);
      if (inc == e.tiers.end()) continue;
      const auto stored = s->tiers.find(id);
      const bool own = stored != s->tiers.end() && stored->second.category_id.has_value();
      if (stack_category == e.categories.end() || own || !inc->second->broken.empty()) {
        tiers.emplace(id, inc->second);
        continue;
      }
      engine::Incentive in_stack = *inc->second;
      in_stack.category = stack_category->second;
      tiers.emplace(id, std::make_shared<const engine::Incentive>(std::move(in_stack)));
    }
    e.stacks.emplace(st.id, st.tier_ids);
    s->stacks.emplace(st.id, std::move(st));
  }
  return s;
}

namespace {

// A snapshot is compiled for the project's settings as well as its definitions.
bool settings_match(const CatalogSnapshot& s, const Project& project) {
  return s.engine.zone.name() == project.time_zone && s.engine.week_start == project.week_start;
}

}  // namespace

CatalogCache::CatalogCache(Store& store, CatalogCacheOptions options)
    : store_(store), options_(std::move(options)) {
  // This node's own writes: the unit that changed a catalog table says so when it commits.
  listener_ = store_.add_catalog_listener([this](const std::string& project) { changed(project); });
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
  store_.remove_catalog_listener(listener_);
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
          settings_match(*e.snapshot, project)) {
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
  int64_t version = 0;
  {
    OP_ASSIGN(auto tx, store_.statements());
    OP_ASSIGN(version, CatalogRepository(tx).version(Scope::of_project(project.id)));
  }
  std::shared_ptr<const CatalogSnapshot> snapshot;
  {
    std::lock_guard lock(mutex_);
    Entry& e = by_project_[project.id];
    if (e.snapshot && e.snapshot->version == version && settings_match(*e.snapshot, project)) {
      snapshot = e.snapshot;
      if (e.checked_seq <= seq) {
        e.checked_seq = seq;
        e.checked_at = started;
      }
      return snapshot;
    }
  }
  OP_ASSIGN(snapshot, load(project));
  std::lock_guard lock(mutex_);
  ++stats_.rebuilds;
  Entry& e = by_project_[project.id];
  if (!e.snapshot || e.snapshot->version <= snapshot->version) {
    e.snapshot = snapshot;
    if (e.checked_seq <= seq) {
      e.checked_seq = seq;
      e.checked_at = started;
    }
  }
  return snapshot;
}

Result<std::shared_ptr<const CatalogSnapshot>> CatalogCache::load(const Project& project) {
  TimeZone zone;
  {
    std::lock_guard lock(mutex_);
    auto it = zones_.find(project.time_zone);
    if (it == zones_.end()) {
      OP_ASSIGN(TimeZone loaded, TimeZone::load(project.time_zone));
      it = zones_.emplace(project.time_zone, std::move(loaded)).first;
    }
    zone = it->second;
  }
  const Scope scope = Scope::of_project(project.id);
  // One read snapshot: the version and the rows it labels agree.
  CatalogRows rows;
  int64_t version = 0;
  OP_TRY(store_.in_snapshot([&](UnitOfWork& tx) -> Status {
    OP_ASSIGN(version, CatalogRepository(tx).version(scope));
    OP_ASSIGN(rows.categories, CategoryRepository(tx).all(scope));
    OP_ASSIGN(rows.campaigns, CampaignRepository(tx).all(scope));
    {
      // Each campaign's areas and stores: restricted callers' visibility is decided on them.
      OP_ASSIGN(auto assigned, AreaRepository(tx).all_campaign_assignments(scope));
      std::unordered_map<std::string, std::vector<StoredAssignment>> by_campaign;
      for (StoredAssignment& a : assigned) by_campaign[a.owner_id].push_back(std::move(a));
      for (Campaign& c : rows.campaigns) {
        if (auto it = by_campaign.find(c.id); it != by_campaign.end()) {
          c.assignments = std::move(it->second);
        }
      }
    }
    OP_ASSIGN(rows.tiers, TierRepository(tx).all(scope));
    OP_ASSIGN(rows.stacks, StackRepository(tx).all(scope));
    OP_ASSIGN(rows.rules, ValidationRuleRepository(tx).all(scope));
    OP_ASSIGN(rows.assignments, ValidationRuleRepository(tx).all_assignments(scope));
    OP_ASSIGN(rows.segments, SegmentRepository(tx).all(scope));
    OP_ASSIGN(rows.collections, CollectionRepository(tx).all(scope));
    OP_ASSIGN(rows.locations, LocationRepository(tx).all(scope));
    OP_ASSIGN(rows.stacking, StackingRepository(tx).find(scope));
    return {};
  }));
  auto snapshot = compile_catalog(std::move(rows), zone, version, project.week_start);
  if (options_.on_broken) {
    for (const auto& b : snapshot->broken) options_.on_broken(project.id, b.what, b.kind);
  }
  return std::shared_ptr<const CatalogSnapshot>(std::move(snapshot));
}

}  // namespace openpromo
