// Tenant positions: a ring for a handful of tenants (the demo reads best that way), a force
// layout (fcose) for more, then an overlap-removal pass so no two tenant boxes ever cover each
// other, whatever the force layout left. Positions only: graph.js applies them.

const GAP = 14; // px kept between two tenant boxes

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
 * Push overlapping boxes apart along the axis where they overlap least, until none overlap.
 * Boxes are bucketed in a grid so each round is close to linear in the number of tenants.
 */
export function removeOverlaps(boxes, gap = GAP, rounds = 200) {
  const cell = Math.max(...boxes.map((b) => Math.max(b.w, b.h))) + gap;
  for (let round = 0; round < rounds; round += 1) {
    const grid = new Map();
    for (const b of boxes) {
      const key = `${Math.floor(b.x / cell)},${Math.floor(b.y / cell)}`;
      if (!grid.has(key)) grid.set(key, []);
      grid.get(key).push(b);
    }
    let moved = false;
    for (const b of boxes) {
      const cx = Math.floor(b.x / cell);
      const cy = Math.floor(b.y / cell);
      for (let dx = -1; dx <= 1; dx += 1) {
        for (let dy = -1; dy <= 1; dy += 1) {
          for (const o of grid.get(`${cx + dx},${cy + dy}`) || []) {
            if (o === b || o.id < b.id) continue;
            const ox = (b.w + o.w) / 2 + gap - Math.abs(b.x - o.x);
            const oy = (b.h + o.h) / 2 + gap - Math.abs(b.y - o.y);
            if (ox <= 0 || oy <= 0) continue;
            moved = true;
            if (ox < oy) {
              const s = (b.x < o.x || (b.x === o.x && b.id < o.id) ? -1 : 1) * (ox / 2 + 0.5);
              b.x += s; o.x -= s;
            } else {
              const s = (b.y < o.y || (b.y === o.y && b.id < o.id) ? -1 : 1) * (oy / 2 + 0.5);
              b.y += s; o.y -= s;
            }
          }
        }
      }
    }
    if (!moved) return round;
  }
  return rounds;
}

/** Positions for the tenant nodes of `cy` (id -> {x, y}) over the (merged) trust edges. */
export function layoutTenants(cy) {
  const nodes = cy.nodes(".tenant");
  const names = nodes.map((n) => n.id()).sort();
  if (names.length <= 14) {
    const degree = new Map(names.map((n) => [n, cy.getElementById(n).degree(false)]));
    return ring(names, degree);
  }
  const eles = nodes.union(cy.edges(".trust"));
  if (window.cytoscapeFcose) {
    // Spectral placement, then a short force phase (more iterations cost time, not clarity).
    eles.layout({
      name: "fcose", quality: "default", randomize: true, animate: false, fit: false,
      nodeDimensionsIncludeLabels: false, nodeRepulsion: () => 20000, idealEdgeLength: () => 160,
      edgeElasticity: () => 0.1, nodeSeparation: 90, numIter: 300, packComponents: true,
      tile: true, tilingPaddingVertical: 20, tilingPaddingHorizontal: 20,
    }).run();
  } else {
    eles.layout({ name: "grid", animate: false, fit: false, avoidOverlap: true }).run();
  }
  return spread(nodes.map((n) => ({ id: n.id(), x: n.position("x"), y: n.position("y"), w: n.data("w"), h: n.data("h") })));
}

/**
 * Scale the layout until its area is a few times the boxes' area, then remove overlaps; if
 * they do not settle, scale up a little more and try again (each try is a few milliseconds).
 */
export function spread(boxes) {
  const area = boxes.reduce((sum, b) => sum + (b.w + GAP) * (b.h + GAP), 0);
  const xs = boxes.map((b) => b.x);
  const ys = boxes.map((b) => b.y);
  const cx = (Math.min(...xs) + Math.max(...xs)) / 2;
  const cy = (Math.min(...ys) + Math.max(...ys)) / 2;
  const span = Math.max(1, (Math.max(...xs) - Math.min(...xs)) * (Math.max(...ys) - Math.min(...ys)));
  let scale = Math.max(1, Math.sqrt((2 * area) / span));
  for (let attempt = 0; attempt < 8; attempt += 1, scale *= 1.25) {
    const moved = boxes.map((b) => ({ ...b, x: cx + (b.x - cx) * scale, y: cy + (b.y - cy) * scale }));
    if (removeOverlaps(moved, GAP, 80) < 80 || attempt === 7) {
      return new Map(moved.map((b) => [b.id, { x: b.x, y: b.y }]));
    }
  }
  return new Map();
}
