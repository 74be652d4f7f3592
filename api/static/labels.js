// Edge labels that would overlap are moved apart. Parallel edges between two tenants (the trust
// edges behind an answer, the hop that crosses them) put their labels near the same midpoint;
// cytoscape draws them on top of each other. Each label, in order, is checked against the
// labels already placed and the nodes: while it collides, it is shifted up or down by its own
// height. Shifts are style bypasses, so `clearLabelShifts` undoes them. Model coordinates:
// labels scale with the zoom, so a layout free of overlaps stays free at any zoom.

const STEPS = [1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6, 7, -7, 8, -8];
const SHIFTED = ["text-margin-y", "source-text-margin-y"];

const overlaps = (a, b) => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;

/** Whether `edge` shows its label at its source end (a crossing hop) or in the middle. */
function labelAt(edge) {
  return edge.pstyle("source-label").strValue ? "source" : "main";
}

/** The box of `edge`'s label alone (no line, no arrow), in model coordinates. */
export function labelBox(edge) {
  const at = labelAt(edge);
  return edge.boundingBox({
    includeNodes: false, includeEdges: false, includeOverlays: false, includeLabels: true,
    includeMainLabels: at === "main", includeSourceLabels: at === "source", includeTargetLabels: false,
  });
}

/** What a label must not cover: a node's box, or only the label of a compound node (a tenant
 * drawn around its objects, whose inside is where the path's labels belong). */
export function nodeBoxes(nodes) {
  return nodes.map((n) => n.boundingBox(n.isParent()
    ? { includeNodes: false, includeEdges: false, includeOverlays: false, includeLabels: true }
    : { includeOverlays: false }));
}

/** Move the labels of `edges` (in priority order) until none overlaps another or `obstacles`. */
export function separateLabels(edges, obstacles) {
  const placed = [...obstacles];
  edges.forEach((edge) => {
    const prop = labelAt(edge) === "source" ? "source-text-margin-y" : "text-margin-y";
    edge.removeStyle(prop);
    let box = labelBox(edge);
    if (!box.w || !box.h) return; // no label shown
    const height = box.h + 2;
    for (const step of STEPS) {
      if (!placed.some((p) => overlaps(p, box))) break;
      edge.style(prop, step * height);
      box = labelBox(edge);
    }
    placed.push(box);
  });
}

export function clearLabelShifts(edges) {
  edges.removeStyle(SHIFTED.join(" "));
}
