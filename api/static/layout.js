// Tenant positions: a ring for a handful of tenants (the demo reads best that way), otherwise a
// force layout (fcose) snapped to a grid of cells as large as the largest tenant box, so no two
// boxes can overlap, whatever the force layout left. Positions only: graph.js applies them.

const GAP = 14; // px kept between two tenant boxes
const ROOM = 2.2; // grid cells per tenant: space for edges to run between the boxes
const SPECTRAL_ONLY = 100; // tenants from which fcose runs its spectral phase only (M: 0.5 s, not 2 s)

function ring(names, degree) {
  const top = Math.max(0, ...degree.values());
  const hubs = names.filter((n) => degree.get(n) === top);
  const hub = names.length > 2 && top > 0 && hubs.length === 1 ? hubs[0] : null;
  const pos = new Map();
  const around = names.filter((n) => n !== hub);
  const radius = Math.max(240, around.length * 70);
  if (hub) pos.set(hub, { x: 0, y: 0 });
  around.forEach((name, i) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(around.length, 1);
    pos.set(name, { x: radius * Math.cos(angle), y: radius * Math.sin(angle) });
  });
  return pos;
}

/**
 * Move each box to the free grid cell nearest its position (boxes nearest the centre choose
 * first). Positions are first replaced by their rank along each axis, so a dense core and a
 * few far outliers (what a spectral layout of a trust graph gives) fill a grid of about `ROOM`
 * cells per box evenly. One pass, no iteration: the cells are as large as the largest box, so
 * boxes in distinct cells never overlap.
 */
export function snapToGrid(boxes, gap = GAP, aspect = 1.6) {
  if (!boxes.length) return new Map();
  const cw = Math.max(...boxes.map((b) => b.w)) + gap;
  const ch = Math.max(...boxes.map((b) => b.h)) + gap;
  const n = boxes.length;
  const rows = Math.max(1, Math.sqrt((ROOM * n * cw) / (aspect * ch)));
  const cols = Math.max(1, (ROOM * n) / rows);
  const rank = (key) => {
    const order = [...boxes].sort((a, b) => a[key] - b[key] || (a.id < b.id ? -1 : 1));
    return new Map(order.map((b, i) => [b.id, n === 1 ? 0.5 : i / (n - 1)]));
  };
  const rx = rank("x");
  const ry = rank("y");
  const wanted = boxes.map((b) => ({ id: b.id, gx: (rx.get(b.id) - 0.5) * cols, gy: (ry.get(b.id) - 0.5) * rows }));
  wanted.sort((a, b) => (a.gx ** 2 + a.gy ** 2) - (b.gx ** 2 + b.gy ** 2) || (a.id < b.id ? -1 : 1));
  const taken = new Set();
  const out = new Map();
  for (const w of wanted) {
    const x0 = Math.round(w.gx);
    const y0 = Math.round(w.gy);
    let best = null;
    for (let r = 0; best === null; r += 1) {
      let bestD = Infinity;
      for (let dx = -r; dx <= r; dx += 1) {
        for (let dy = -r; dy <= r; dy += 1) {
          if (Math.max(Math.abs(dx), Math.abs(dy)) !== r) continue; // the ring at distance r
          const key = `${x0 + dx},${y0 + dy}`;
          if (taken.has(key)) continue;
          const d = (x0 + dx - w.gx) ** 2 + (y0 + dy - w.gy) ** 2;
          if (d < bestD) { bestD = d; best = [x0 + dx, y0 + dy, key]; }
        }
      }
    }
    taken.add(best[2]);
    out.set(w.id, { x: best[0] * cw, y: best[1] * ch });
  }
  return out;
}

/** Positions for the tenant nodes of `cy` (id -> {x, y}) over the (merged) trust edges. */
export function layoutTenants(cy) {
  const nodes = cy.nodes(".tenant");
  const names = nodes.map((n) => n.id()).sort();
  if (names.length <= 14) {
    const degree = new Map(names.map((n) => [n, cy.getElementById(n).degree(false)]));
    return ring(names, degree);
  }
  // Tenants without a trust edge would be tiled far from the rest and shrink the fit: they get
  // a row of their own under the graph instead.
  const lonely = nodes.filter((n) => n.degree(false) === 0);
  const linked = nodes.not(lonely);
  const eles = linked.union(cy.edges(".trust"));
  if (window.cytoscapeFcose && linked.nonempty()) {
    // Spectral placement, then a short force phase (more iterations cost time, not clarity);
    // past SPECTRAL_ONLY tenants the force phase costs seconds and the grid snap does its job.
    eles.layout({
      name: "fcose", quality: names.length > SPECTRAL_ONLY ? "draft" : "default", randomize: true, animate: false, fit: false,
      nodeDimensionsIncludeLabels: false, nodeRepulsion: () => 20000, idealEdgeLength: () => 160,
      edgeElasticity: () => 0.1, nodeSeparation: 90, numIter: 300, packComponents: true,
      tile: true, tilingPaddingVertical: 20, tilingPaddingHorizontal: 20,
    }).run();
  } else {
    eles.layout({ name: "grid", animate: false, fit: false, avoidOverlap: true }).run();
  }
  const pos = snapToGrid(linked.map((n) => ({ id: n.id(), x: n.position("x"), y: n.position("y"), w: n.data("w"), h: n.data("h") })));
  const all = [...pos.values()];
  const cw = Math.max(...nodes.map((n) => n.data("w"))) + GAP;
  const ch = Math.max(...nodes.map((n) => n.data("h"))) + GAP;
  const left = all.length ? Math.min(...all.map((p) => p.x)) : 0;
  const right = all.length ? Math.max(...all.map((p) => p.x)) : cw * 10;
  const below = (all.length ? Math.max(...all.map((p) => p.y)) : 0) + 2 * ch;
  const perRow = Math.max(1, Math.floor((right - left) / cw) + 1);
  lonely.sort((a, b) => a.id().localeCompare(b.id())).forEach((n, i) => {
    pos.set(n.id(), { x: left + (i % perRow) * cw, y: below + Math.floor(i / perRow) * ch });
  });
  return pos;
}
