// The SVG chart of a run: requests/s and p99 of GET /user for the service, the ceiling and the peers,
// side by side, one row each. Plain SVG, no library: a few rectangles and labels, readable on
// GitHub (which shows an SVG linked from Markdown) and in any browser.

const ROW = 24;
const LABEL_WIDTH = 360;
const PANEL_WIDTH = 250;
const GAP = 40;
const TOP = 64;
const COLOURS = { service: '#2563eb', floor: '#93c5fd', ceiling: '#6b7280', peer: '#f59e0b' };

const escape = (text) =>
  String(text)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');

const formatRate = (v) => (v >= 10_000 ? `${(v / 1000).toFixed(1)}k` : Math.round(v).toLocaleString('en-US'));
const formatMs = (v) => `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`;

/**
 * The rows the chart shows, from a run's results (bench.mjs's `r`): each `{ group, label, kind,
 * perSecond, p99Ms }`. Figures from autocannon and from wrk are kept in separate groups: the two
 * generators are not interchangeable, and only ratios within a group mean anything.
 */
export function chartRows(r, hotPath) {
  const rows = [];
  const add = (group, label, kind, run) => {
    if (run?.perSecond) {
      rows.push({
        group,
        label,
        kind,
        perSecond: run.perSecond,
        p99Ms: run.latency?.p99Ms ?? run.p99Ms ?? null,
      });
    }
  };
  const autocannon = 'GET /user, 32 connections, autocannon';
  add(autocannon, 'this service', 'service', r.service?.getUser);
  add(autocannon, 'NestJS on Fastify, one guard (floor)', 'floor', r.peers?.nestFloor?.getUser);
  add(autocannon, 'Fastify alone (floor)', 'floor', r.peers?.fastifyFloor?.getUser);
  add(autocannon, 'node:http ceiling', 'ceiling', r.peers?.ceiling?.getUser);
  add(autocannon, 'FastAPI tutorial app', 'peer', r.peers?.fastapi?.getUser);
  if (hotPath) {
    const group = 'GET /user, 32 connections, wrk (8), medians of the rounds';
    for (const { key, label } of r.hotPath.variants) {
      const kind = key === 'ceiling' ? 'ceiling' : key.endsWith('Floor') ? 'floor' : 'service';
      add(group, label, kind, hotPath.figures[key]);
    }
  }
  return rows;
}

/** The SVG text for `rows` (chartRows), titled `title`. */
export function chartSvg(rows, title) {
  const groups = [...new Set(rows.map((row) => row.group))];
  const maxRate = Math.max(1, ...rows.map((row) => row.perSecond));
  const maxP99 = Math.max(0.001, ...rows.map((row) => row.p99Ms ?? 0));
  const parts = [];
  let y = TOP;
  const rateX = LABEL_WIDTH;
  const p99X = LABEL_WIDTH + PANEL_WIDTH + GAP + 60;
  for (const group of groups) {
    parts.push(`<text x="8" y="${y + 14}" class="group">${escape(group)}</text>`);
    y += ROW;
    for (const row of rows.filter((candidate) => candidate.group === group)) {
      const rateWidth = (row.perSecond / maxRate) * PANEL_WIDTH;
      parts.push(`<text x="${LABEL_WIDTH - 8}" y="${y + 15}" text-anchor="end">${escape(row.label)}</text>`);
      parts.push(
        `<rect x="${rateX}" y="${y + 3}" width="${rateWidth.toFixed(1)}" height="${ROW - 8}" fill="${COLOURS[row.kind]}"><title>${escape(`${row.label}: ${Math.round(row.perSecond)} req/s`)}</title></rect>`,
      );
      parts.push(
        `<text x="${(rateX + rateWidth + 4).toFixed(1)}" y="${y + 15}">${formatRate(row.perSecond)}</text>`,
      );
      if (row.p99Ms !== null) {
        const p99Width = (row.p99Ms / maxP99) * PANEL_WIDTH;
        parts.push(
          `<rect x="${p99X}" y="${y + 3}" width="${Math.max(1, p99Width).toFixed(1)}" height="${ROW - 8}" fill="${COLOURS[row.kind]}" opacity="0.7"><title>${escape(`${row.label}: p99 ${formatMs(row.p99Ms)}`)}</title></rect>`,
        );
        parts.push(
          `<text x="${(p99X + Math.max(1, p99Width) + 4).toFixed(1)}" y="${y + 15}">${formatMs(row.p99Ms)}</text>`,
        );
      }
      y += ROW;
    }
    y += ROW / 2;
  }
  const width = p99X + PANEL_WIDTH + 80;
  const height = y + 8;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="13">`,
    '<style>text { fill: #111827; } .group { font-weight: 600; } .title { font-size: 15px; font-weight: 600; } .axis { fill: #4b5563; }</style>',
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="8" y="22" class="title">${escape(title)}</text>`,
    `<text x="${rateX}" y="${TOP - 8}" class="axis">requests/s (longer is better)</text>`,
    `<text x="${p99X}" y="${TOP - 8}" class="axis">latency p99 (shorter is better)</text>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
