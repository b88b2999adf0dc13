#include "service/segment_service.h"

#include <algorithm>

#include "core/crypto.h"
#include "service/customer_service.h"
#include "service/key_service.h"
#include "service/location_service.h"
#include "store/customer_repository.h"
#include "store/order_repository.h"
#include "store/segment_repository.h"

namespace openpromo {

CompiledSegment compile_segment(Segment s, const rules::LocationResolver& locations) {
  CompiledSegment c{std::move(s), std::nullopt, {}};
  if (c.segment.unreadable) {
    c.broken = "the stored definition cannot be read: " + *c.segment.unreadable;
    return c;
  }
  if (c.segment.type == "static") return c;
  const Json* f = c.segment.definition.if_contains("filter");
  if (!f) {
    c.broken = "the stored segment has no filter";
    return c;
  }
  auto filter = rules::Filter::compile(*f, locations);
  if (!filter.ok()) {
    c.broken = "the stored filter no longer compiles: " + filter.error().details;
    return c;
  }
  c.filter = std::move(*filter);
  return c;
}

std::vector<std::string> member_segments(const std::vector<CompiledSegment>& segments,
                                         const Json& customer,
                                         const std::vector<std::string>& static_ids, Instant now,
                                         const Json* sent) {
  std::vector<std::string> out;
  for (const CompiledSegment& s : segments) {
    if (!s.broken.empty()) continue;
    const bool member = s.filter ? s.filter->matches(customer, now, sent)
                                 : std::find(static_ids.begin(), static_ids.end(), s.segment.id) !=
                                       static_ids.end();
    if (member) out.push_back(s.segment.id);
  }
  return out;
}

Result<Segment> SegmentService::create(const Principal& who, const SegmentInput& in) {
  OP_TRY(require_admin(who, "create segments"));
  Segment s;
  if (!in.name || in.name->empty() || in.name->size() > 200) {
    return Error::invalid_payload("name is required (1 to 200 characters)");
  }
  s.name = *in.name;
  s.type = in.type.value_or("static");
  if (s.type != "static" && s.type != "auto-update" && s.type != "passive") {
    return Error::invalid_payload("type must be static, auto-update or passive");
  }
  if (s.type != "static") {
    if (!in.filter || !in.filter->is_object()) {
      return Error::invalid_payload("an " + s.type + " segment needs a filter object");
    }
    OP_TRY(rules::Filter::compile(*in.filter));  // the shape first; locations in the unit
    s.definition["filter"] = *in.filter;
  } else if (in.customers && in.customers->size() > kMaxStaticCustomers) {
    return Error::invalid_payload("a static segment lists at most 20000 customers");
  }
  s.id = new_id("seg_");
  s.project_id = who.project_id;
  s.created_at = now_utc();
  OP_TRY(store_.in_write([&](UnitOfWork& tx) -> Status {
    if (s.type != "static") {
      OP_TRY(rules::Filter::compile(*in.filter, location_resolver_in(tx, who.scope())));
    }
    std::vector<std::string> members;
    if (s.type == "static" && in.customers) {
      for (const std::string& ref : *in.customers) {
        OP_ASSIGN(Customer customer, find_customer_in(tx, who.scope(), ref));
        members.push_back(customer.id);
      }
    }
    return SegmentRepository(tx).insert(who.scope(), s, members);
  }));
  return s;
}

Result<Segment> SegmentService::get(const Principal& who, std::string_view id) {
  OP_ASSIGN(auto tx, store_.statements());
  OP_ASSIGN(auto found, SegmentRepository(tx).find(who.scope(), id));
  if (!found) return Error::not_found("segment", std::string(id));
  return std::move(*found);
}

Result<Page<Segment>> SegmentService::list(const Principal& who, const ListQuery& query) {
  return store_.in_snapshot(
      [&](UnitOfWork& tx) { return SegmentRepository(tx).list(who.scope(), query); });
}

Status SegmentService::remove(const Principal& who, std::string_view id) {
  OP_TRY(require_admin(who, "delete segments"));
  return store_.in_write(
      [&](UnitOfWork& tx) { return SegmentRepository(tx).remove(who.scope(), id); });
}

Result<std::vector<Segment>> SegmentService::segments_of(
    const Principal& who, std::string_view customer_id_or_source_id) {
  return store_.in_snapshot([&](UnitOfWork& tx) -> Result<std::vector<Segment>> {
    const Scope scope = who.scope();
    OP_ASSIGN(Customer customer, find_customer_in(tx, scope, customer_id_or_source_id));
    OP_ASSIGN(CustomerSummary counters, customer_summary_in(tx, scope, customer.id));
    SegmentRepository segments(tx);
    OP_ASSIGN(auto static_ids, segments.static_segments_of(scope, customer.id));
    OP_ASSIGN(auto all, segments.all(scope));
    std::vector<CompiledSegment> compiled;
    for (Segment& s : all) compiled.push_back(compile_segment(std::move(s)));
    const auto ids =
        member_segments(compiled, wire_.customer(customer, counters), static_ids, now_utc());
    std::vector<Segment> out;
    for (CompiledSegment& c : compiled) {
      if (std::find(ids.begin(), ids.end(), c.segment.id) != ids.end()) {
        out.push_back(std::move(c.segment));
      }
    }
    return out;
  });
}

Status refresh_segment_membership(UnitOfWork& tx, const Principal& who, const Wire& wire,
                                  const Customer& customer) {
  const Scope scope = who.scope();
  SegmentRepository segments(tx);
  OP_ASSIGN(auto all, segments.all(scope));
  std::vector<CompiledSegment> active;
  for (Segment& s : all) {
    if (s.type != "auto-update") continue;
    CompiledSegment c = compile_segment(std::move(s));
    // A filter that cannot be read decides nothing: its recorded members stay as they are.
    if (c.broken.empty()) active.push_back(std::move(c));
  }
  if (active.empty()) return {};
  OP_ASSIGN(CustomerSummary counters, customer_summary_in(tx, scope, customer.id));
  const Json doc = wire.customer(customer, counters);
  OP_ASSIGN(auto recorded, segments.recorded_segments_of(scope, customer.id));
  const Instant now = now_utc();
  for (const CompiledSegment& c : active) {
    const Segment& s = c.segment;
    const bool member = c.filter->matches(doc, now);
    const bool was = std::find(recorded.begin(), recorded.end(), s.id) != recorded.end();
    if (member == was) continue;
    OP_ASSIGN(const bool changed, segments.set_member(scope, s.id, customer.id, member));
    if (!changed) continue;  // a concurrent refresh recorded it
    CustomerActivity a;
    a.id = new_id("evcus_");
    a.project_id = who.project_id;
    a.customer_id = customer.id;
    a.type = member ? "customer.segment.entered" : "customer.segment.left";
    a.data =
        JsonObject{{"segment", JsonObject{{"id", s.id}, {"name", s.name}, {"object", "segment"}}}};
    a.created_at = now;
    OP_TRY(ActivityRepository(tx).insert(scope, a));
  }
  return {};
}

}  // namespace openpromo
