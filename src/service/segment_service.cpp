#include "service/segment_service.h"

#include <algorithm>

#include "core/crypto.h"
#include "service/key_service.h"
#include "service/paging.h"

namespace openpromo {
std::vector<std::string> member_segments(const std::vector<CompiledSegment>& segments,
                                         const Json& customer,
                                         const std::vector<std::string>& static_ids, Instant now) {
  std::vector<std::string> out;
  for (const CompiledSegment& s : segments) {
    const bool member = s.filter ? s.filter->matches(customer, now)
                                 : std::find(static_ids.begin(), static_ids.end(), s.segment.id) !=
                                       static_ids.end();
    if (member) out.push_back(s.segment.id);
  }
  return out;
}

JsonObject SegmentService::view(const Segment& s) {
  JsonObject out;
  out["id"] = s.id;
  out["name"] = s.name;
  out["created_at"] = format_iso8601(s.created_at);
  out["type"] = s.type;
  const Json* filter = s.definition.if_contains("filter");
  out["filter"] = filter ? *filter : Json(nullptr);
  out["initial_sync_status"] = "DONE";
  out["object"] = "segment";
  return out;
}

Result<Segment> SegmentService::create(const Principal& who, const JsonObject& body) {
  OP_TRY(require_admin(who, "create segments"));
  Segment s;
  const Json* name = body.if_contains("name");
  if (!name || !name->is_string() || name->as_string().empty() || name->as_string().size() > 200) {
    return Error::invalid_payload("name is required (1 to 200 characters)");
  }
  s.name = std::string(name->as_string());
  const Json* type = body.if_contains("type");
  s.type = type && type->is_string() ? std::string(type->as_string()) : "static";
  if (s.type != "static" && s.type != "auto-update" && s.type != "passive") {
    return Error::invalid_payload("type must be static, auto-update or passive");
  }
  std::vector<std::string> members;
  if (s.type == "static") {
    const Json* customers = body.if_contains("customers");
    if (customers && !customers->is_null() && !customers->is_array()) {
      return Error::invalid_payload("customers must be an array of customer ids");
    }
    if (customers && customers->is_array()) {
      if (customers->as_array().size() > kMaxStaticCustomers) {
        return Error::invalid_payload("a static segment lists at most 20000 customers");
      }
      for (const Json& c : customers->as_array()) {
        if (!c.is_string()) return Error::invalid_payload("customers must be customer ids");
        OP_ASSIGN(Customer customer, customers_.get(who, std::string_view(c.as_string())));
        members.push_back(customer.id);
      }
    }
  } else {
    const Json* filter = body.if_contains("filter");
    if (!filter || !filter->is_object()) {
      return Error::invalid_payload("an " + s.type + " segment needs a filter object");
    }
    OP_TRY(rules::Filter::compile(*filter));
    s.definition["filter"] = *filter;
  }
  s.id = new_id("seg_");
  s.project_id = who.project_id;
  s.created_at = now_utc();
  OP_TRY(store_.insert_segment(s, members));
  return s;
}

Result<Segment> SegmentService::get(const Principal& who, std::string_view id) {
  OP_ASSIGN(auto found, store_.find_segment(who.project_id, id));
  if (!found) return Error::not_found("segment", std::string(id));
  return std::move(*found);
}

Result<Page<Segment>> SegmentService::list(const Principal& who, const ListQuery& query) {
  return store_.list_segments(who.project_id, query);
}

Status SegmentService::remove(const Principal& who, std::string_view id) {
  OP_TRY(require_admin(who, "delete segments"));
  return store_.delete_segment(who.project_id, id);
}

Result<std::vector<Segment>> SegmentService::segments_of(
    const Principal& who, std::string_view customer_id_or_source_id) {
  OP_ASSIGN(Customer customer, customers_.get(who, customer_id_or_source_id));
  OP_ASSIGN(JsonObject document, customers_.view(who, customer));
  OP_ASSIGN(auto static_ids, store_.static_segments_of(who.project_id, customer.id));
  OP_ASSIGN(auto all, read_all<Segment>([&](const ListQuery& q) {
              return store_.list_segments(who.project_id, q);
            }));
  std::vector<CompiledSegment> compiled;
  for (Segment& s : all) {
    CompiledSegment c{std::move(s), std::nullopt};
    if (const Json* f = c.segment.definition.if_contains("filter");
        f && c.segment.type != "static") {
      auto filter = rules::Filter::compile(*f);
      if (!filter.ok()) continue;  // stored filters always compiled when written
      c.filter = std::move(*filter);
    }
    compiled.push_back(std::move(c));
  }
  const auto ids = member_segments(compiled, Json(document), static_ids, now_utc());
  std::vector<Segment> out;
  for (CompiledSegment& c : compiled) {
    if (std::find(ids.begin(), ids.end(), c.segment.id) != ids.end()) {
      out.push_back(std::move(c.segment));
    }
  }
  return out;
}

Status SegmentService::refresh_membership(const Principal& who, const std::string& customer_id) {
  OP_ASSIGN(auto all, read_all<Segment>([&](const ListQuery& q) {
              return store_.list_segments(who.project_id, q);
            }));
  std::vector<Segment> active;
  for (Segment& s : all) {
    if (s.type == "auto-update") active.push_back(std::move(s));
  }
  if (active.empty()) return {};
  OP_ASSIGN(Customer customer, customers_.get(who, customer_id));
  OP_ASSIGN(JsonObject document, customers_.view(who, customer));
  const Json doc(std::move(document));
  OP_ASSIGN(auto recorded, store_.recorded_segments_of(who.project_id, customer.id));
  const Instant now = now_utc();
  for (const Segment& s : active) {
    const Json* f = s.definition.if_contains("filter");
    if (!f) continue;
    auto filter = rules::Filter::compile(*f);
    if (!filter.ok()) continue;
    const bool member = filter->matches(doc, now);
    const bool was = std::find(recorded.begin(), recorded.end(), s.id) != recorded.end();
    if (member == was) continue;
    OP_ASSIGN(const bool changed, store_.set_segment_member(s.id, customer.id, member));
    if (!changed) continue;  // a concurrent refresh recorded it
    CustomerActivity a;
    a.id = new_id("evcus_");
    a.project_id = who.project_id;
    a.customer_id = customer.id;
    a.type = member ? "customer.segment.entered" : "customer.segment.left";
    a.data =
        JsonObject{{"segment", JsonObject{{"id", s.id}, {"name", s.name}, {"object", "segment"}}}};
    a.created_at = now;
    OP_TRY(store_.insert_activity(a));
  }
  return {};
}

}  // namespace openpromo
