#!/usr/bin/env python3
"""Loads what bench/run's load drivers need into a running openpromo, over one keep-alive
connection, and writes the request bodies into OUT_DIR.

  bench/fixtures.py URL OUT_DIR base           vouchers, tiers, stacked redeemables, code pools
  bench/fixtures.py URL OUT_DIR qualification  1,000 active campaigns (run after the others:
                                               they grow the project's catalog)
The key is the bench key (X-App-Id/X-App-Token: bench)."""
import http.client
import json
import sys
import time
import urllib.parse

url, out, what = sys.argv[1], sys.argv[2], sys.argv[3]
parsed = urllib.parse.urlparse(url)
conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=120)
HEADERS = {"X-App-Id": "bench", "X-App-Token": "bench", "Content-Type": "application/json"}


def call(method, path, body=None, ok=(200, 201, 202)):
    conn.request(method, path, body=None if body is None else json.dumps(body), headers=HEADERS)
    r = conn.getresponse()
    data = r.read()
    if r.status not in ok:
        sys.exit(f"fixtures: {method} {path} -> {r.status} {data[:300]!r}")
    return json.loads(data) if data else None


def write(name, body):
    with open(f"{out}/{name}", "w") as f:
        f.write(body if isinstance(body, str) else json.dumps(body))


def rule(name, rules):
    return call("POST", "/v1/validation-rules", {"name": name, "rules": rules})["id"]


def promotion(name, amount_off, rules=()):
    tier = {"name": name, "action": {"discount": {"type": "AMOUNT", "amount_off": amount_off}}}
    if rules:
        tier["validation_rules"] = list(rules)
    c = call("POST", "/v1/campaigns", {"name": name, "campaign_type": "PROMOTION",
                                       "promotion": {"tiers": [tier]}})
    return c["promotion"]["tiers"][0]["id"]


def pool(name, prefix, count, rules=()):
    """A coupon campaign holding `count` imported codes PREFIX0000001..."""
    body = {"name": name, "campaign_type": "DISCOUNT_COUPONS",
            "voucher": {"type": "DISCOUNT_VOUCHER", "discount": {"type": "AMOUNT", "amount_off": 1}}}
    if rules:
        body["validation_rules"] = list(rules)
    campaign = call("POST", "/v1/campaigns", body)["id"]
    for start in range(0, count, 10000):
        codes = [{"code": "%s%07d" % (prefix, i + 1)} for i in range(start, min(count, start + 10000))]
        action = call("POST", f"/v1/campaigns/{campaign}/import", codes)["async_action_id"]
        while call("GET", f"/v1/async-actions/{action}")["status"] != "DONE":
            time.sleep(0.1)
    return campaign


def items(n, prefix="prod_", quantity=2):
    return [{"product_id": f"{prefix}{i}", "quantity": quantity, "price": 1000} for i in range(n)]


def check_valid(body, applicable):
    r = call("POST", "/v1/validations", body)
    got = sum(1 for x in r["redeemables"] if x["status"] == "APPLICABLE")
    if not r["valid"] or got != applicable:
        sys.exit(f"fixtures: validation check failed ({got} applicable): {json.dumps(r)[:400]}")


if what == "base":
    # One voucher and one promotion tier on a 20-item cart (the validation).
    call("POST", "/v1/vouchers/BENCH-V1",
         {"type": "DISCOUNT_VOUCHER", "discount": {"type": "PERCENT", "percent_off": 10}})
    tier = promotion("bench promo", 500)
    validation = {"redeemables": [{"object": "voucher", "id": "BENCH-V1"},
                                  {"object": "promotion_tier", "id": tier}],
                  "order": {"items": items(20)}}
    check_valid(validation, 2)
    write("validation.json", validation)
    # Five stacked redeemables, each with a rule: three vouchers and two tiers.
    big = rule("bench big cart", {"1": {"name": "order.amount", "conditions": {"$more_than": [100]}},
                                  "2": {"name": "order.items.count", "conditions": {"$more_than": [3]}},
                                  "logic": "1 and 2"})
    stacked = []
    for i in range(3):
        call("POST", f"/v1/vouchers/BENCH-S{i}",
             {"type": "DISCOUNT_VOUCHER", "discount": {"type": "PERCENT", "percent_off": 2 + i},
              "validation_rules": [big]})
        stacked.append({"object": "voucher", "id": f"BENCH-S{i}"})
    for i in range(2):
        stacked.append({"object": "promotion_tier", "id": promotion(f"bench stacked {i}", 100 + i, [big])})
    stacked5 = {"redeemables": stacked, "order": {"items": items(20)}}
    check_valid(stacked5, 5)
    write("stacked5.json", stacked5)
    # A hot code of unlimited quantity.
    call("POST", "/v1/vouchers/BENCH-HOT",
         {"type": "DISCOUNT_VOUCHER", "discount": {"type": "AMOUNT", "amount_off": 1},
          "redemption": {"quantity": None}})
    write("hot.json", {"redeemables": [{"object": "voucher", "id": "BENCH-HOT"}], "order": {"amount": 10000}})
    # Distinct codes; distinct codes under a campaign budget (total discounted amount); codes to
    # publish to distinct customers.
    pool("bench distinct", "R-", 100000)
    budget = rule("bench budget", {"1": {"name": "campaign.orders.amount_discounted",
                                         "conditions": {"$less_than": [1000000000]}}})
    pool("bench budget", "B-", 50000, [budget])
    pool("bench publish", "P-", 50000)
    redeem = '{"redeemables":[{"object":"voucher","id":"%s"}],"order":{"amount":10000}}'
    write("redeem_template", redeem)
    write("publish_template", '{"campaign":{"name":"bench publish"},"customer":{"source_id":"%s"}}')
elif what == "qualification":
    # 1,000 active campaigns as app_bench's BM_Qualification1000Campaigns has them.
    big = rule("q big cart", {"1": {"name": "order.amount", "conditions": {"$more_than": [2000]}}})
    once = rule("q once", {"1": {"name": "redemption.count.per_customer",
                                 "conditions": {"$less_than_or_equal": [1]}}})
    for i in range(700):
        promotion(f"q promo {i}", 10 + i, [big] if i % 3 == 0 else [once] if i % 10 == 1 else [])
    for i in range(300):
        call("POST", "/v1/campaigns", {"name": f"q coupons {i}", "campaign_type": "DISCOUNT_COUPONS",
                                       "voucher": {"discount": {"type": "PERCENT", "percent_off": 1 + i % 50}}})
    call("POST", "/v1/customers", {"source_id": "q-bench", "metadata": {"a": 1}})
    body = {"customer": {"source_id": "q-bench"},
            "order": {"items": [{"source_id": f"q-line-{i}", "related_object": "product",
                                 "quantity": 1, "price": 1000} for i in range(5)]},
            "options": {"limit": 5, "sorting_rule": "BEST_DEAL"}}
    r = call("POST", "/v1/qualifications", body)
    if r["redeemables"]["total"] < 900:
        sys.exit(f"fixtures: qualification check failed: {json.dumps(r)[:400]}")
    write("qualification.json", body)
else:
    sys.exit(f"fixtures: unknown set {what}")
