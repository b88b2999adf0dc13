#include "service/publication_service.h"

#include <set>

#include "core/crypto.h"
#include "core/time.h"
#include "service/campaign_service.h"
#include "service/customer_service.h"
#include "service/events.h"
#include "service/holder_service.h"
#include "service/segment_service.h"
#include "store/async_action_repository.h"
#include "store/campaign_repository.h"
#include "store/customer_repository.h"
#include "store/segment_repository.h"
#include "store/voucher_repository.h"

namespace openpromo {
namespace {

Error publication_error(std::string key, std::string message, std::string details,
                        std::string resource_id = {}, std::string resource_type = {}) {
  return Error{400,
               std::move(key),
               std::move(message),
               std::move(details),
               std::move(resource_id),
               std::move(resource_type)};
}

Error no_voucher_suitable(const Campaign& c) {
  return publication_error(
      "no_voucher_suitable_for_publication", "Couldn't find any voucher suitable for publication.",
      "campaign " + c.name + " has no unpublished active code left", c.id, "campaign");
}

Error already_joined(const Campaign& c) {
  return publication_error("voucher_cannot_be_published", "Voucher cannot be published",
                           "Customer already joined program " + c.name, c.id, "campaign");
}

// When a code given now expires: the campaign's activity_duration_after_publishing from now.
std::optional<Instant> expiry_of(const Campaign* c, Instant now) {
  if (!c) return std::nullopt;
  const Json* d = c->definition.if_contains("activity_duration_after_publishing");
  if (!d || !d->is_string()) return std::nullopt;
  const auto duration = parse_iso_duration(d->as_string());
  if (!duration || duration->empty()) return std::nullopt;
  return add_duration(now, *duration);
}

std::string voucher_type_name(const Voucher& v) {
  return std::string(to_string(v.type));
}

// The outbox events and customer activity of codes given to `customer`.
Status record_given(UnitOfWork& tx, const Principal& who, const Publication& p,
                    const Customer& customer, const std::vector<Voucher>& given) {
  for (const Voucher& v : given) {
    OP_TRY(record_event(tx, who, "voucher.published", v.id,
                        JsonObject{{"voucher_id", v.id},
                                   {"code", v.code},
                                   {"customer_id", customer.id},
                                   {"publication_id", p.id}}));
  }
  JsonArray ids;
  for (const std::string& id : p.voucher_ids) ids.emplace_back(id);
  OP_TRY(record_event(
      tx, who, "publication.succeeded", p.id,
      JsonObject{{"publication_id", p.id}, {"customer_id", customer.id}, {"vouchers_id", ids}}));
  CustomerActivity a;
  a.id = new_id("evcus_");
  a.project_id = who.project_id;
  a.customer_id = customer.id;
  a.type = "customer.publication.succeeded";
  a.data = JsonObject{{"publication", JsonObject{{"id", p.id}, {"vouchers_id", ids}}},
                      {"customer", JsonObject{{"id", customer.id}, {"object", "customer"}}}};
  a.created_at = p.created_at;
  return ActivityRepository(tx).insert(who.scope(), a);
}

Result<PublicationView> view_of(UnitOfWork& tx, const Scope& scope, Publication p,
                                std::optional<Customer> customer) {
  PublicationView out;
  if (!customer) {
    OP_ASSIGN(auto found, CustomerRepository(tx).find(scope, p.customer_id));
    if (found) customer = std::move(*found);
  }
  if (customer)
    out.customer = std::move(*customer);
  else
    out.customer.id = p.customer_id;  // deleted since
  VoucherRepository vouchers(tx);
  for (const std::string& id : p.voucher_ids) {
    OP_ASSIGN(auto v, vouchers.find(scope, id, true));
    if (!v) continue;  // deleted since
    OP_ASSIGN(auto view, voucher_view(tx, scope, std::move(*v), false));
    out.vouchers.push_back(std::move(view));
  }
  out.publication = std::move(p);
  return out;
}

}  // namespace

Result<PublicationView> PublicationService::publish(const Principal& who,
                                                    const PublicationInput& input) {
  if (input.voucher.has_value() == input.campaign.has_value()) {
    return Error::invalid_payload("a publication names either voucher or campaign");
  }
  if (input.campaign && (input.count < 1 || input.count > kMaxCount)) {
    return Error::invalid_payload("campaign.count must be from 1 to " + std::to_string(kMaxCount));
  }
  if (!input.customer.id && !input.customer.source_id) {
    return Error::invalid_payload("customer must have an id or a source_id");
  }
  const Scope scope = who.scope();
  return store_.in_write([&](UnitOfWork& tx) -> Result<PublicationView> {
    OP_ASSIGN(Customer customer, upsert_customer_in(tx, who, wire_, input.customer));
    // The customer's publications run one after another from here on.
    OP_TRY(CustomerRepository(tx).lock(scope, customer.id));

    const Instant now = now_utc();
    Publication p;
    p.id = new_id("pub_");
    p.project_id = who.project_id;
    p.source_id = input.source_id;
    p.request_hash = input.request_hash;
    p.customer_id = customer.id;
    p.channel = input.channel.value_or("API");
    p.metadata = input.metadata;
    p.created_at = now;
    if (!who.key_id.empty()) p.api_key_id = who.key_id;
    if (!who.area_store_id.empty()) p.area_store_id = who.area_store_id;

    std::optional<Campaign> campaign;
    std::optional<Voucher> specific;
    VoucherRepository vouchers(tx);
    if (input.campaign) {
      OP_ASSIGN(campaign, find_campaign(tx, scope, *input.campaign));
    } else {
      OP_ASSIGN(specific, vouchers.find(scope, *input.voucher, who.project.case_sensitive_codes));
      if (!specific) return Error::not_found("voucher", *input.voucher);
      if (specific->campaign_id) {
        OP_ASSIGN(campaign, find_campaign(tx, scope, *specific->campaign_id));
      }
    }
    if (campaign) p.campaign_id = campaign->id;

    // The source id: the first call with it wins; the others get its publication back.
    if (input.source_id) {
      OP_ASSIGN(const bool claimed, PublicationRepository(tx).insert_if_new(scope, p));
      if (!claimed) {
        OP_ASSIGN(auto first, PublicationRepository(tx).find_by_source(scope, *input.source_id));
        if (!first) return Error::unavailable("publication of source_id in flux; retry");
        if (first->request_hash != input.request_hash) {
          return publication_error(
              "duplicate_source_id", "Duplicate source id",
              "source_id " + *input.source_id + " was used for another publication request",
              first->id, "publication");
        }
        return view_of(tx, scope, std::move(*first), std::nullopt);
      }
    }

    std::vector<Voucher> given;
    const std::optional<Instant> expires = expiry_of(campaign ? &*campaign : nullptr, now);
    if (specific) {
      if (specific->holder_id) {
        if (*specific->holder_id == customer.id && input.join_once) {
          given.push_back(*specific);  // what they hold already; nothing changes hands
        } else {
          return publication_error("voucher_already_published", "Voucher already published",
                                   "voucher " + specific->code + " is published to a customer",
                                   specific->id, "voucher");
        }
      } else {
        if (campaign && campaign->join_once) {
          OP_ASSIGN(auto held, vouchers.held_in_campaign(scope, customer.id, campaign->id));
          if (!held.empty()) return already_joined(*campaign);
        }
        OP_ASSIGN(auto v, vouchers.publish(scope, specific->id, customer.id, expires, now));
        if (!v) {
          return publication_error("voucher_already_published", "Voucher already published",
                                   "voucher " + specific->code + " is published to a customer",
                                   specific->id, "voucher");
        }
        given.push_back(std::move(*v));
      }
    } else {
      const Campaign& c = *campaign;
      if (c.campaign_type == CampaignType::kPromotion) {
        return publication_error("voucher_cannot_be_published", "Voucher cannot be published",
                                 "a PROMOTION campaign has no codes", c.id, "campaign");
      }
      const bool once =
          c.join_once || input.join_once || c.campaign_type == CampaignType::kLoyaltyProgram;
      if (once && input.count > 1) {
        return publication_error("too_many_vouchers_requested", "Too many vouchers requested",
                                 "Only up to 1 can be published", c.id, "campaign");
      }
      bool repeat = false;
      if (once) {
        OP_ASSIGN(auto held, vouchers.held_in_campaign(scope, customer.id, c.id));
        if (!held.empty()) {
          if (!input.join_once) return already_joined(c);
          given.push_back(std::move(held.front()));  // the code they hold, again
          repeat = true;
        }
      }
      if (!repeat) {
        OP_ASSIGN(given,
                  vouchers.claim_unpublished(scope, c.id, customer.id, input.count, expires, now));
        while (static_cast<int64_t>(given.size()) < input.count) {
          if (c.mode != CampaignMode::kAutoUpdate) return no_voucher_suitable(c);
          OP_ASSIGN(Voucher fresh, vouchers_.create_code_in(tx, who, c));
          OP_ASSIGN(auto v, vouchers.publish(scope, fresh.id, customer.id, expires, now));
          if (!v) return Error::internal("a code generated for publication was taken");
          given.push_back(std::move(*v));
        }
      }
    }

    for (const Voucher& v : given) {
      p.voucher_ids.push_back(v.id);
      OP_TRY(record_holder_in(tx, scope, v, campaign ? &*campaign : nullptr, customer.id, now));
    }
    std::vector<std::string> codes;
    for (const Voucher& v : given) codes.push_back(v.code);
    const std::optional<std::string> type =
        given.empty() ? std::nullopt : std::optional<std::string>(voucher_type_name(given.front()));
    const bool referral = !given.empty() && given.front().is_referral_code;
    PublicationRepository publications(tx);
    if (input.source_id) {
      OP_TRY(publications.set_vouchers(scope, p, codes, type, referral));
    } else {
      OP_ASSIGN(const bool inserted, publications.insert_if_new(scope, p));
      if (!inserted) return Error::internal("publication id collision");
      OP_TRY(publications.set_vouchers(scope, p, codes, type, referral));
    }
    OP_TRY(record_given(tx, who, p, customer, given));
    return view_of(tx, scope, std::move(p), std::move(customer));
  });
}

Result<PublicationService::BatchOutcome> PublicationService::publish_once_each_in(
    UnitOfWork& tx, const Principal& who, const Campaign& campaign,
    const std::vector<std::string>& customer_ids, const std::string& channel,
    std::string& code_cursor) {
  const Scope scope = who.scope();
  BatchOutcome out;
  // Locked before any code is claimed (a single publication holding one of them waits on
  // nothing this unit holds), then who holds a code already, both in one statement each.
  OP_ASSIGN(auto locked, CustomerRepository(tx).lock_many(scope, customer_ids));
  VoucherRepository vouchers(tx);
  OP_ASSIGN(auto holders, vouchers.holders_in_campaign(scope, campaign.id, customer_ids));
  const std::set<std::string> present(locked.begin(), locked.end());
  const std::set<std::string> held(holders.begin(), holders.end());
  PublicationRepository publications(tx);
  for (const std::string& customer_id : customer_ids) {
    if (!present.contains(customer_id) || held.contains(customer_id)) {
      ++out.held;  // gone since, or holds one: nothing to give
      ++out.done;
      continue;
    }
    const Instant now = now_utc();
    const std::optional<Instant> expires = expiry_of(&campaign, now);
    OP_ASSIGN(auto given, vouchers.claim_unpublished(scope, campaign.id, customer_id, 1, expires,
                                                     now, code_cursor));
    if (given.empty() && !code_cursor.empty()) {
      // A code skipped while another unit held it may have come free behind the cursor.
      OP_ASSIGN(given,
                vouchers.claim_unpublished(scope, campaign.id, customer_id, 1, expires, now));
    }
    if (given.empty()) {
      if (campaign.mode != CampaignMode::kAutoUpdate) {
        out.exhausted = true;
        return out;
      }
      OP_ASSIGN(Voucher fresh, vouchers_.create_code_in(tx, who, campaign));
      OP_ASSIGN(auto v, vouchers.publish(scope, fresh.id, customer_id, expires, now));
      if (!v) return Error::internal("a code generated for publication was taken");
      given.push_back(std::move(*v));
    } else {
      code_cursor = given.front().id;
    }
    const Voucher& v = given.front();
    Publication p;
    p.id = new_id("pub_");
    p.project_id = who.project_id;
    p.request_hash = "bulk";
    p.customer_id = customer_id;
    p.campaign_id = campaign.id;
    p.channel = channel;
    p.created_at = now;
    if (!who.key_id.empty()) p.api_key_id = who.key_id;
    if (!who.area_store_id.empty()) p.area_store_id = who.area_store_id;
    p.voucher_ids = {v.id};
    OP_TRY(record_holder_in(tx, scope, v, &campaign, customer_id, now));
    OP_TRY(publications.insert_given(scope, p, {v.code}, voucher_type_name(v), v.is_referral_code));
    Customer customer;
    customer.id = customer_id;
    OP_TRY(record_given(tx, who, p, customer, given));
    ++out.published;
    ++out.done;
  }
  return out;
}

namespace {

// What a segment publication has done so far, as its action's result keeps it.
struct SegmentProgress {
  std::string cursor;  // last customer id done
  int64_t examined = 0, published = 0, held = 0, total = 0;

  static SegmentProgress of(const AsyncAction& a) {
    SegmentProgress p;
    auto integer = [&](const char* key) {
      const Json* v = a.result.if_contains(key);
      return v && v->is_int64() ? v->as_int64() : int64_t{0};
    };
    if (const Json* c = a.result.if_contains("cursor"); c && c->is_string()) {
      p.cursor = std::string(c->as_string());
    }
    p.examined = a.done_count;
    p.published = integer("done_count");
    p.held = integer("skipped_count");
    p.total = integer("total");
    return p;
  }
  void save_to(AsyncAction& a) const {
    a.done_count = examined;
    a.progress = total <= 0 ? 0 : static_cast<int>(std::min<int64_t>(99, examined * 100 / total));
    a.result["cursor"] = cursor;
    a.result["done_count"] = published;
    a.result["skipped_count"] = held;
    a.result["total"] = total;
    a.result["message"] = std::to_string(published) + " code(s) published, " +
                          std::to_string(held) + " customer(s) held one already";
  }
};

// The segment to publish to: a static one lists its members, the others are a filter over every
// customer. A filter that cannot be read publishes to nobody and says so (fail closed).
Result<CompiledSegment> publishable_segment(UnitOfWork& tx, const Scope& scope,
                                            std::string_view id) {
  OP_ASSIGN(auto found, SegmentRepository(tx).find(scope, id));
  if (!found) return Error::not_found("segment", std::string(id));
  CompiledSegment c = compile_segment(std::move(*found));
  if (!c.broken.empty() || (c.segment.type != "static" && !c.filter)) {
    return Error{400,
                 "definition_unreadable",
                 "Definition unreadable",
                 "segment " + c.segment.id + " has a filter that cannot be read: " + c.broken,
                 c.segment.id,
                 "segment"};
  }
  return c;
}

Result<Campaign> publishable_campaign(UnitOfWork& tx, const Scope& scope, std::string_view ref) {
  OP_ASSIGN(Campaign c, find_campaign(tx, scope, ref));
  if (c.campaign_type == CampaignType::kPromotion) {
    return publication_error("voucher_cannot_be_published", "Voucher cannot be published",
                             "a PROMOTION campaign has no codes", c.id, "campaign");
  }
  return c;
}

}  // namespace

Result<std::string> PublicationService::enqueue_segment(const Principal& who,
                                                        const SegmentPublicationInput& input) {
  const Scope scope = who.scope();
  AsyncAction action;
  action.id = new_id("aa_");
  action.project_id = who.project_id;
  action.type = std::string(kSegmentPublication);
  action.request_id = who.request_id;
  action.created_at = now_utc();
  OP_TRY(store_.in_write([&](UnitOfWork& tx) -> Status {
    OP_ASSIGN(Campaign c, publishable_campaign(tx, scope, input.campaign));
    OP_ASSIGN(CompiledSegment seg, publishable_segment(tx, scope, input.segment));
    action.payload = JsonObject{{"campaign_id", c.id},
                                {"segment_id", seg.segment.id},
                                {"channel", input.channel.value_or("API")}};
    OP_TRY(AsyncActionRepository(tx).insert(scope, action));
    if (wake_jobs_) tx.after_commit(wake_jobs_);
    return {};
  }));
  return action.id;
}

Status PublicationService::run_segment(const Principal& who, AsyncAction& action,
                                       const std::atomic<bool>& stopping,
                                       const SaveProgress& save) {
  const Json* campaign_id = action.payload.if_contains("campaign_id");
  const Json* segment_id = action.payload.if_contains("segment_id");
  const Json* channel_json = action.payload.if_contains("channel");
  if (!campaign_id || !campaign_id->is_string() || !segment_id || !segment_id->is_string() ||
      !channel_json || !channel_json->is_string()) {
    return Error::internal("malformed " + std::string(kSegmentPublication) + " payload");
  }
  const Scope scope = who.scope();
  const std::string channel(channel_json->as_string());
  std::optional<Campaign> campaign;
  std::optional<CompiledSegment> segment;
  SegmentProgress progress = SegmentProgress::of(action);
  {
    OP_ASSIGN(auto tx, store_.statements());
    OP_ASSIGN(campaign, publishable_campaign(tx, scope, campaign_id->as_string()));
    OP_ASSIGN(segment, publishable_segment(tx, scope, segment_id->as_string()));
    if (progress.total == 0) {
      const bool listed = segment->segment.type == "static";
      OP_ASSIGN(progress.total, CustomerRepository(tx).count(
                                    scope, listed ? std::optional<std::string>(segment->segment.id)
                                                  : std::nullopt));
    }
  }
  const std::optional<std::string> listed = segment->segment.type == "static"
                                                ? std::optional<std::string>(segment->segment.id)
                                                : std::nullopt;
  std::string code_cursor;  // where this run's last code claim ended (see claim_unpublished)
  while (!stopping) {
    bool finished = false, exhausted = false;
    const std::string code_cursor_before = code_cursor;
    SegmentProgress next;
    OP_TRY(store_.in_write([&](UnitOfWork& tx) -> Status {
      next = progress;  // a retried unit starts over from the committed state
      code_cursor = code_cursor_before;
      finished = exhausted = false;
      // Binning or deleting the campaign waits for the batch, or the batch sees it gone.
      OP_TRY(CampaignRepository(tx).lock_live(scope, campaign->id));
      OP_ASSIGN(auto batch,
                CustomerRepository(tx).batch_after(scope, next.cursor, kSegmentBatch, listed));
      if (batch.empty()) {
        finished = true;
        return {};
      }
      const Instant now = now_utc();
      // Members of the batch, in id order; a filter reads order and redemption counters only
      // when it names them.
      const bool counters = segment->filter && segment->filter->reads_prefix("summary");
      std::vector<std::string> members;
      for (const Customer& c : batch) {
        if (segment->filter) {
          CustomerSummary summary;
          if (counters) {
            OP_ASSIGN(summary, customer_summary_in(tx, scope, c.id));
          }
          if (!segment->filter->matches(wire_.customer(c, summary), now)) continue;
        }
        members.push_back(c.id);
      }
      OP_ASSIGN(BatchOutcome done,
                publish_once_each_in(tx, who, *campaign, members, channel, code_cursor));
      next.published += done.published;
      next.held += done.held;
      if (done.exhausted) {
        // Out of codes: what this batch gave so far stands; the job stops at that customer.
        exhausted = true;
        const std::string& stop = members[done.done];
        for (const Customer& c : batch) {
          if (c.id >= stop) break;
          next.cursor = c.id;
          ++next.examined;
        }
      } else {
        next.cursor = batch.back().id;
        next.examined += static_cast<int64_t>(batch.size());
      }
      AsyncAction saved = action;
      next.save_to(saved);
      return save(tx, saved);
    }));
    progress = next;
    progress.save_to(action);
    if (finished) break;
    if (exhausted) {
      return publication_error("no_voucher_suitable_for_publication",
                               "Couldn't find any voucher suitable for publication.",
                               "campaign " + campaign->name + " ran out of codes after " +
                                   std::to_string(progress.published) + " publication(s)",
                               campaign->id, "campaign");
    }
  }
  if (stopping) return {};
  action.result["message"] = std::to_string(progress.published) + " code(s) published, " +
                             std::to_string(progress.held) + " customer(s) held one already";
  return {};
}

Result<Page<PublicationView>> PublicationService::list(const Principal& who,
                                                       const PublicationFilter& filter,
                                                       const ListQuery& query) {
  return store_.in_snapshot([&](UnitOfWork& tx) -> Result<Page<PublicationView>> {
    const Scope scope = who.scope();
    PublicationFilter f = filter;
    if (f.campaign_id) {
      OP_ASSIGN(Campaign c, find_campaign(tx, scope, *f.campaign_id));
      f.campaign_id = c.id;
    }
    if (f.customer_id) {
      OP_ASSIGN(auto c, CustomerRepository(tx).find(scope, *f.customer_id));
      if (c) f.customer_id = c->id;
    }
    OP_ASSIGN(auto page, PublicationRepository(tx).list(scope, f, query));
    Page<PublicationView> out;
    out.total = page.total;
    out.has_more = page.has_more;
    for (Publication& p : page.items) {
      OP_ASSIGN(auto view, view_of(tx, scope, std::move(p), std::nullopt));
      out.items.push_back(std::move(view));
    }
    return out;
  });
}

}  // namespace openpromo
