// Issue 17: geofencing through the real server and the real @voucherify/sdk 2.9.0 client.
// Spec 15: a dynamic segment filters the customer's geopoint metadata with `$in_location`, and a
// `customer.segment` rule then decides on the coordinates the request sends in
// `customer.metadata.<key>`; an AUTO_UPDATE collection does the same for cart lines
// (`order.items[].metadata.<key>`) under `order.items.any|every|none`. Boundaries: points 1 m
// inside and outside a 1 km circle, a polygon's hole, a polygon across the antimeridian, a
// MultiPolygon, a point exactly on an edge, a circle around the North Pole; each at validation and
// at redemption, for a segment and for a collection.
//
// Distances along the equator are exact without a geodesic library (the equator is a geodesic:
// metres = 6378137 * radians), so the 1 m cases are computed here independently of the server.
//
// SDK 2.9.0 methods used: segments.create, productCollections.create, validationRules.create and
// createAssignment, vouchers.create, validations.validateStackable, redemptions.redeemStackable,
// customers.get. Locations are written with raw requests (the SDK has no locations client).

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { j, makeUniq, rawRequest, serverForThisFile } from './helpers.mjs';

const uniq = makeUniq();
let srv;
let client;
serverForThisFile((s) => {
  srv = s;
  client = s.client;
});

const raw = (method, path, body) => rawRequest(srv, method, path, body);

// ---- the boundaries ---------------------------------------------------------------------------

const EQUATORIAL_RADIUS = 6378137;
const eastOf = (lng, metres) => lng + (metres / EQUATORIAL_RADIUS) * (180 / Math.PI);
const geo = (lat, lng) => `geo:${lat},${lng}`;

const shapes = {
  circle: { type: 'circle', format: 'distance', distance: { center: geo(0, 10), radius: '1 km' } },
  // A 2 x 2 degree square with a 1 x 1 hole in the middle.
  holed: {
    type: 'polygon',
    format: 'geojson',
    geojson: {
      type: 'Polygon',
      coordinates: [
        [[20, 0], [22, 0], [22, 2], [20, 2], [20, 0]],
        [[20.5, 0.5], [21.5, 0.5], [21.5, 1.5], [20.5, 1.5], [20.5, 0.5]],
      ],
    },
  },
  pacific: {
    type: 'polygon',
    format: 'geojson',
    geojson: { type: 'Polygon', coordinates: [[[179, -1], [-179, -1], [-179, 1], [179, 1], [179, -1]]] },
  },
  islands: {
    type: 'polygon',
    format: 'geojson',
    geojson: {
      type: 'MultiPolygon',
      coordinates: [
        [[[40, 10], [41, 10], [41, 11], [40, 11], [40, 10]]],
        [[[43, 10], [44, 10], [44, 11], [43, 11], [43, 10]]],
      ],
    },
  },
  pole: { type: 'circle', format: 'distance', distance: { center: geo(89.9, 0), radius: '50 km' } },
};

// [what, point, inside]; every point lies in at most one of the shapes above.
const cases = [
  ['1 m inside a 1 km circle', geo(0, eastOf(10, 999)), true],
  ['1 m outside a 1 km circle', geo(0, eastOf(10, 1001)), false],
  ['in the polygon, outside its hole', geo(0.25, 21), true],
  ["in the polygon's hole", geo(1, 21), false],
  ['exactly on an edge (the equator from 20 to 22 E)', geo(0, 21), true],
  ['across the antimeridian, west side', geo(0, -179.5), true],
  ['across the antimeridian, east side', geo(0.5, 179.5), true],
  ['beside the antimeridian polygon', geo(0, 178.5), false],
  ['in the first member of a MultiPolygon', geo(10.5, 40.5), true],
  ['in the second member of a MultiPolygon', geo(10.5, 43.5), true],
  ['between the members of a MultiPolygon', geo(10.5, 42), false],
  ['the North Pole, 11 km from the circle centre', geo(90, 0), true],
  ['beyond the pole, on the far meridian', geo(89.95, 180), true],
  ['south of the polar circle', geo(89.4, 0), false],
];

let locationIds;
let segmentId;
let segmentCode;     // voucher with `customer.segment $is [location segment]`
let collectionCode;  // voucher with `order.items.any $in [location collection]` and a quantity sub-rule

async function locations() {
  if (locationIds) return locationIds;
  locationIds = [];
  for (const [name, shape] of Object.entries(shapes)) {
    const r = await raw('POST', '/v1/locations', { name: uniq(name), shape });
    assert.equal(r.status, 200, r.text);
    locationIds.push(r.json.id);
  }
  return locationIds;
}

async function voucherWithRule(rules) {
  const rule = await client.validationRules.create({ name: uniq('Geo rule'), type: 'basic', rules });
  const code = uniq('GEO').toUpperCase();
  const v = await client.vouchers.create({
    code, type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 500 }, redemption: { quantity: null },
  });
  await client.validationRules.createAssignment(rule.id, { related_object_type: 'voucher', related_object_id: v.id });
  return code;
}

async function segmentVoucher() {
  if (segmentCode) return segmentCode;
  const ids = await locations();
  const seg = await client.segments.create({
    name: uniq('Near us'),
    type: 'auto-update',
    filter: { junction: 'and', 'metadata.customer_location': { conditions: { $in_location: ids } } },
  });
  assert.match(seg.id, /^seg_/, j(seg));
  segmentId = seg.id;
  segmentCode = await voucherWithRule({ 1: { name: 'customer.segment', conditions: { $is: [seg.id] } }, logic: '1' });
  return segmentCode;
}

async function collectionVoucher() {
  if (collectionCode) return collectionCode;
  const ids = await locations();
  const pc = await client.productCollections.create({
    name: uniq('Stock here'),
    type: 'AUTO_UPDATE',
    filter: { junction: 'and', 'metadata.product_location': { conditions: { $in_location: ids } } },
  });
  assert.match(pc.id, /^pc_/, j(pc));
  collectionCode = await voucherWithRule({
    1: {
      name: 'order.items.any',
      conditions: { $in: [{ id: pc.id, object: 'products_collection' }] },
      rules: { 1: { name: 'order.items.quantity', conditions: { $more_than_equal: [2] } }, logic: '1' },
    },
    logic: '1',
  });
  return collectionCode;
}

const customerAt = (point) => ({ source_id: uniq('geo-cust'), metadata: point ? { customer_location: point } : {} });
const cart = (point, quantity = 2) => ({
  amount: 1000 + 1000 * quantity,
  items: [
    { source_id: uniq('plain'), quantity: 1, price: 1000 },
    { source_id: uniq('stock'), quantity, price: 1000, metadata: point ? { product_location: point } : {} },
  ],
});

// ---- segments ---------------------------------------------------------------------------------

test('segment $in_location at validation: every boundary case decides as the geometry says', async () => {
  const code = await segmentVoucher();
  for (const [what, point, inside] of cases) {
    const res = await client.validations.validateStackable({
      customer: customerAt(point), order: { amount: 5000 }, redeemables: [{ object: 'voucher', id: code }],
    });
    assert.equal(res.valid, inside, `${what} (${point}): ${j(res)}`);
    if (!inside) assert.equal(res.redeemables?.[0]?.result?.error?.key, 'customer_rules_violated', `${what}: ${j(res)}`);
  }
});

test('segment $in_location at redemption: inside redeems, outside is refused; the position is not stored', async () => {
  const code = await segmentVoucher();
  for (const [what, point, inside] of cases) {
    const customer = customerAt(point);
    const attempt = client.redemptions.redeemStackable({
      customer, order: { amount: 5000 }, redeemables: [{ object: 'voucher', id: code }],
    });
    if (inside) {
      const res = await attempt;
      assert.equal(res.redemptions?.[0]?.result, 'SUCCESS', `${what}: ${j(res)}`);
      assert.equal(res.order?.total_discount_amount, 500, `${what}: ${j(res)}`);
      const stored = await client.customers.get(customer.source_id);
      assert.equal(stored.metadata?.customer_location, undefined, `the profile keeps no position: ${j(stored)}`);
    } else {
      await assert.rejects(attempt, (err) => {
        assert.equal(err.code, 400, `${what}: ${j(err)}`);
        assert.equal(err.key, 'customer_rules_violated', `${what}: ${j(err)}`);
        return true;
      });
    }
  }
});

test('segment $in_location at qualification: a location tier is offered only inside', async () => {
  await segmentVoucher();
  const rule = await client.validationRules.create({
    name: uniq('Geo tier rule'), type: 'basic',
    rules: { 1: { name: 'customer.segment', conditions: { $is: [segmentId] } }, logic: '1' },
  });
  const campaign = await client.promotions.create({
    name: uniq('Stadium promo'),
    campaign_type: 'PROMOTION',
    promotion: { tiers: [{ name: uniq('Stadium tier'), banner: 'In the stadium', action: { discount: { type: 'AMOUNT', amount_off: 300 } }, validation_rules: [rule.id] }] },
  });
  const tierId = campaign.promotion.tiers[0].id;
  for (const [what, point, inside] of cases) {
    const q = await client.qualifications.checkEligibility({
      customer: customerAt(point),
      order: { amount: 5000 },
      scenario: 'ALL',
      options: { limit: 50, filters: { junction: 'and', resource_type: { conditions: { $in: ['promotion_tier'] } } } },
    });
    const offered = q.redeemables.data.some((x) => x.id === tierId);
    assert.equal(offered, inside, `${what} (${point}): ${j(q.redeemables.data.map((x) => x.id))}`);
  }
});

test('a request without coordinates matches no location, and explain says why', async () => {
  const code = await segmentVoucher();
  for (const point of [undefined, 'not a geopoint', 'geo:95,0']) {
    const res = await client.validations.validateStackable({
      customer: customerAt(point), order: { amount: 5000 }, redeemables: [{ object: 'voucher', id: code }],
      options: { expand: ['explain'] },
    });
    assert.equal(res.valid, false, `${point}: ${j(res)}`);
    const failed = res.redeemables[0].explain.find((s) => s.step === 'rule' && !s.passed);
    assert.ok(failed, j(res.redeemables[0].explain));
    assert.equal(failed.name, 'customer.segment');
    assert.match(failed.detail ?? '', /no coordinates .* customer\.metadata\.customer_location/, j(failed));
  }
});

test('$not_in_location: outside every listed location holds; inside, or without coordinates, it does not', async () => {
  const ids = await locations();
  const seg = await client.segments.create({
    name: uniq('Away'),
    type: 'passive',
    filter: { junction: 'and', 'metadata.customer_location': { conditions: { $not_in_location: [ids[0]] } } },
  });
  const code = await voucherWithRule({ 1: { name: 'customer.segment', conditions: { $is: [seg.id] } }, logic: '1' });
  const validate = (point) => client.validations.validateStackable({
    customer: customerAt(point), order: { amount: 5000 }, redeemables: [{ object: 'voucher', id: code }],
  });
  assert.equal((await validate(geo(0, eastOf(10, 1001)))).valid, true, 'outside the circle');
  assert.equal((await validate(geo(0, eastOf(10, 999)))).valid, false, 'inside the circle');
  assert.equal((await validate(undefined)).valid, false, 'no coordinates: fail closed');
});

// ---- collections ------------------------------------------------------------------------------

test('collection $in_location at validation: the line with coordinates decides, with its quantity sub-rule', async () => {
  const code = await collectionVoucher();
  for (const [what, point, inside] of cases) {
    const res = await client.validations.validateStackable({
      customer: customerAt(undefined), order: cart(point), redeemables: [{ object: 'voucher', id: code }],
    });
    assert.equal(res.valid, inside, `${what} (${point}): ${j(res)}`);
    if (!inside) assert.equal(res.redeemables?.[0]?.result?.error?.key, 'order_rules_violated', `${what}: ${j(res)}`);
  }
  const one = await client.validations.validateStackable({
    order: cart(cases[0][1], 1), redeemables: [{ object: 'voucher', id: code }],
  });
  assert.equal(one.valid, false, `inside but only one unit, the sub-rule wants 2: ${j(one)}`);
  const none = await client.validations.validateStackable({
    order: cart(undefined), redeemables: [{ object: 'voucher', id: code }], options: { expand: ['explain'] },
  });
  assert.equal(none.valid, false, j(none));
  const failed = none.redeemables[0].explain.find((s) => s.step === 'rule' && !s.passed);
  assert.match(failed?.detail ?? '', /no coordinates .* order\.items\[\]\.metadata\.product_location/, j(failed));
});

test('collection $in_location at redemption: inside redeems, outside is refused', async () => {
  const code = await collectionVoucher();
  for (const [what, point, inside] of cases) {
    const attempt = client.redemptions.redeemStackable({
      customer: customerAt(undefined), order: cart(point), redeemables: [{ object: 'voucher', id: code }],
    });
    if (inside) {
      const res = await attempt;
      assert.equal(res.redemptions?.[0]?.result, 'SUCCESS', `${what}: ${j(res)}`);
    } else {
      await assert.rejects(attempt, (err) => {
        assert.equal(err.key, 'order_rules_violated', `${what}: ${j(err)}`);
        return true;
      });
    }
  }
});

// ---- changes and bad input --------------------------------------------------------------------

test('moving a location moves the decision at once; deleting one in use is refused', async () => {
  const r = await raw('POST', '/v1/locations', { name: uniq('Kiosk'), shape: { type: 'circle', format: 'distance', distance: { center: geo(-30, -60), radius: '100 m' } } });
  assert.equal(r.status, 200, r.text);
  const seg = await client.segments.create({
    name: uniq('At the kiosk'),
    type: 'auto-update',
    filter: { junction: 'and', 'metadata.customer_location': { conditions: { $in_location: [r.json.id] } } },
  });
  const code = await voucherWithRule({ 1: { name: 'customer.segment', conditions: { $is: [seg.id] } }, logic: '1' });
  const validate = () => client.validations.validateStackable({
    customer: customerAt(geo(-30, -60.01)), order: { amount: 5000 }, redeemables: [{ object: 'voucher', id: code }],
  });
  assert.equal((await validate()).valid, false, 'about 960 m away from a 100 m circle');
  const moved = await raw('PUT', `/v1/locations/${r.json.id}`, { shape: { type: 'circle', format: 'distance', distance: { center: geo(-30, -60), radius: '2 km' } } });
  assert.equal(moved.status, 200, moved.text);
  assert.equal((await validate()).valid, true, 'inside once the circle grew');
  const del = await raw('DELETE', `/v1/locations/${r.json.id}`);
  assert.equal(del.status, 400, del.text);
  assert.equal(del.json.key, 'resource_in_use');
});

test('a filter naming an unknown location, or $in_location on a field that is not metadata, is refused', async () => {
  const bad = [
    [{ 'metadata.customer_location': { conditions: { $in_location: ['loc_doesNotExist'] } } }, 'unknown location loc_doesNotExist'],
    [{ email: { conditions: { $in_location: ['loc_x'] } } }, 'metadata'],
    [{ 'metadata.customer_location': { conditions: { $in_location: [] } } }, 'location id'],
    [{ 'metadata.customer_location': { conditions: { $in_location: [42] } } }, 'location ids'],
  ];
  for (const [filter, word] of bad) {
    for (const [path, body] of [
      ['/v1/segments', { name: uniq('Bad'), type: 'auto-update', filter: { junction: 'and', ...filter } }],
      ['/v1/product-collections', { name: uniq('Bad'), type: 'AUTO_UPDATE', filter: { junction: 'and', ...filter } }],
    ]) {
      const r = await raw('POST', path, body);
      assert.equal(r.status, 400, `${path} ${j(filter)}: ${r.text}`);
      assert.equal(r.json.key, 'invalid_payload', r.text);
      assert.ok(r.json.details.includes(word), `${word} in ${r.json.details}`);
    }
  }
});
