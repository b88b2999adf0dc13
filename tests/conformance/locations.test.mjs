// Issue 17, part 1: locations. The 2.9.x SDK has no locations client, so these are the raw
// requests of the 3.x SDK (GET /v1/locations, GET /v1/locations/{id}) and of our write API.
// Contract: list-locations, get-location; ours: create, update and delete a location.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { makeUniq, rawRequest, serverForThisFile } from './helpers.mjs';

const uniq = makeUniq();
let srv;
serverForThisFile((s) => {
  srv = s;
});

const circle = (center, radius) => ({ type: 'circle', format: 'distance', distance: { center, radius } });
const square = {
  type: 'polygon',
  format: 'geojson',
  geojson: { type: 'Polygon', coordinates: [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]], [[0.5, 0.5], [1.5, 0.5], [1.5, 1.5], [0.5, 1.5], [0.5, 0.5]]] },
};

test('locations: create, get, list with a name filter, update, delete', async () => {
  const name = uniq('Stadium');
  const created = await rawRequest(srv, 'POST', '/v1/locations', { name, shape: circle('geo:52.2397,21.0458', '1.5 km') });
  assert.equal(created.status, 200, created.text);
  assert.match(created.json.id, /^loc_/);
  assert.equal(created.json.object, 'location');
  assert.deepEqual(created.json.shape, circle('geo:52.2397,21.0458', '1.5 km'));
  assert.equal(created.json.updated_at, null);

  const poly = await rawRequest(srv, 'POST', '/v1/locations', { name: uniq('Square'), shape: square });
  assert.equal(poly.status, 200, poly.text);

  const got = await rawRequest(srv, 'GET', `/v1/locations/${created.json.id}`);
  assert.equal(got.status, 200);
  assert.equal(got.json.name, name);
  const listed = await rawRequest(srv, 'GET', `/v1/locations?filters[name][conditions][$is]=${encodeURIComponent(name)}`);
  assert.equal(listed.status, 200, listed.text);
  assert.equal(listed.json.object, 'list');
  assert.deepEqual(listed.json.data.map((l) => l.id), [created.json.id]);

  const moved = await rawRequest(srv, 'PUT', `/v1/locations/${created.json.id}`, { shape: circle('geo:52.2397,21.0458', '900 m') });
  assert.equal(moved.status, 200, moved.text);
  assert.equal(moved.json.name, name);
  assert.equal(moved.json.shape.distance.radius, '900 m');
  assert.ok(moved.json.updated_at);

  const removed = await rawRequest(srv, 'DELETE', `/v1/locations/${created.json.id}`);
  assert.equal(removed.status, 204);
  assert.equal((await rawRequest(srv, 'GET', `/v1/locations/${created.json.id}`)).status, 404);
});

test('locations: every malformed shape is refused naming the field, and nothing is stored', async () => {
  const before = (await rawRequest(srv, 'GET', '/v1/locations?limit=100')).json.total;
  const cases = [
    [circle('geo:91,0', '1 km'), 'latitude'],
    [circle('geo:0,-181', '1 km'), 'longitude'],
    [circle('geo:0,0', '0 m'), 'radius'],
    [circle('geo:0,0', '-1 km'), 'radius'],
    [circle('geo:0,0', '5'), 'unit'],
    [circle('40.7,-74.0', '5 km'), 'center'],
    [circle('geo:1', '5 km'), 'center'],
    [{ type: 'polygon', geojson: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1]]] } }, 'closed'],
    [{ type: 'polygon', geojson: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [0, 0]]] } }, 'at least 4'],
    [{ type: 'polygon', geojson: { type: 'Polygon', coordinates: [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]] } }, 'valid polygon'],
    [{ type: 'polygon', geojson: { type: 'Polygon', coordinates: [Array.from({ length: 100_000 }, (_, i) => [i % 90, 0])] } }, 'vertices'],
    [{ type: 'triangle' }, 'shape.type'],
  ];
  for (const [shape, word] of cases) {
    const r = await rawRequest(srv, 'POST', '/v1/locations', { name: uniq('Bad'), shape });
    assert.equal(r.status, 400, `${JSON.stringify(shape).slice(0, 120)}: ${r.text}`);
    assert.equal(r.json.key, 'invalid_location');
    assert.ok(r.json.details.includes(word), `${word} in ${r.json.details}`);
    assert.ok(r.json.request_id);
  }
  const noName = await rawRequest(srv, 'POST', '/v1/locations', { shape: square });
  assert.equal(noName.status, 400);
  assert.equal((await rawRequest(srv, 'GET', '/v1/locations?limit=100')).json.total, before);
});

test('locations: a location a segment names cannot be deleted; the refusal names the segment', async () => {
  const loc = await rawRequest(srv, 'POST', '/v1/locations', { name: uniq('Mall'), shape: square });
  const segmentName = uniq('Near the mall');
  const seg = await srv.client.segments.create({
    name: segmentName,
    type: 'auto-update',
    filter: { junction: 'and', 'metadata.customer_location': { conditions: { $in: [loc.json.id] } } },
  });
  assert.match(seg.id, /^seg_/);
  const refused = await rawRequest(srv, 'DELETE', `/v1/locations/${loc.json.id}`);
  assert.equal(refused.status, 400, refused.text);  // resource_in_use is a 400, as for categories
  assert.equal(refused.json.key, 'resource_in_use');
  assert.ok(refused.json.details.includes(segmentName), refused.json.details);
  await srv.client.segments.delete(seg.id);
  assert.equal((await rawRequest(srv, 'DELETE', `/v1/locations/${loc.json.id}`)).status, 204);
});
