// Small SVG charts drawn by hand: no chart library, nothing fetched from elsewhere.
import { svg, h } from './ui.js';

// Lines over buckets: `labels` along x, each series {name, color, values[]} (same length).
export function lineChart({ title, labels, series, height = 180 }) {
  const width = 560;
  const pad = { l: 40, r: 12, t: 12, b: 28 };
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const x = (i) => pad.l + (labels.length <= 1 ? 0 : (i * (width - pad.l - pad.r)) / (labels.length - 1));
  const y = (v) => pad.t + (height - pad.t - pad.b) * (1 - v / max);
  const ticks = [0, Math.round(max / 2), max];
  const summary = series.map((s) => `${s.name}: ${s.values.reduce((a, b) => a + b, 0)}`).join(', ');
  return h('figure', { class: 'chart' },
    svg('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%', role: 'img', 'aria-label': `${title}. ${summary}` },
      ticks.map((t) => [
        svg('line', { x1: pad.l, x2: width - pad.r, y1: y(t), y2: y(t), stroke: '#d5dae2' }),
        svg('text', { x: pad.l - 6, y: y(t) + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#4f5b6e' }, t),
      ]),
      labels.map((l, i) => (i % Math.ceil(labels.length / 6) === 0
        ? svg('text', { x: x(i), y: height - 8, 'text-anchor': 'middle', 'font-size': 11, fill: '#4f5b6e' }, l) : null)),
      series.map((s) => svg('polyline', {
        fill: 'none', stroke: s.color, 'stroke-width': 2,
        points: s.values.map((v, i) => `${x(i)},${y(v)}`).join(' '),
      }))),
    h('figcaption', { class: 'legend' }, h('strong', {}, title),
      series.map((s) => h('span', {}, h('span', { class: 'swatch', style: null, dataset: { color: s.color } }), s.name))));
}

// Colours for legend swatches (CSP forbids inline styles, so they are set as properties).
export function paintSwatches(root) {
  for (const el of root.querySelectorAll('.swatch[data-color]')) el.style.background = el.dataset.color;
}

// Counts of `items` per bucket of `bucketMs` over the last `buckets` buckets, by `key(item)`.
export function bucketize(items, { now = Date.now(), bucketMs, buckets, time, key, keys }) {
  const start = now - bucketMs * buckets;
  const out = Object.fromEntries(keys.map((k) => [k, new Array(buckets).fill(0)]));
  for (const it of items) {
    const t = Date.parse(time(it));
    if (!(t >= start && t <= now)) continue;
    const i = Math.min(buckets - 1, Math.floor((t - start) / bucketMs));
    const k = key(it);
    if (out[k]) out[k][i] += 1;
  }
  return out;
}
