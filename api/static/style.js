// Cytoscape styles of the viewer: tenants, trust edges by kind (colour from the data), path
// objects and hops, the blocked-access edge, who-can-access highlights. Kept apart from the
// drawing logic in graph.js so the look can change without touching behaviour. Labels follow
// the zoom: `min-zoomed-font-size` hides a label once it would be drawn too small to read, so
// a 1,000-tenant overview shows boxes and edges, and names appear as you zoom in.
import { BLOCK_COLOUR, PATH_COLOUR } from "./kinds.js";

const LABEL_BOX = {
  "text-background-color": "#ffffff", "text-background-opacity": 0.92,
  "text-background-padding": "2px", "text-background-shape": "round-rectangle",
  "text-rotation": "autorotate", "font-size": 10,
};

export const STYLE = [
  { selector: "node.tenant", style: {
    shape: "round-rectangle", "background-color": "#ffffff", "border-width": 2,
    "border-color": "data(cloudColour)", label: "data(display)", "text-wrap": "wrap",
    "text-valign": "center", "text-halign": "center", "font-size": 13, "font-weight": 600,
    color: "#0f172a", width: "data(w)", height: "data(h)", "line-height": 1.25,
    "font-family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
    "min-zoomed-font-size": 6,
  } },
  { selector: "node.tenant.b2c", style: { "border-style": "dashed" } },
  { selector: "node.tenant:parent", style: {
    "text-valign": "top", "text-margin-y": -6, "background-color": "#f8fafc",
    "background-opacity": 0.95, padding: "22px",
  } },
  { selector: "edge.trust", style: {
    width: 2, "line-color": "data(colour)", "target-arrow-color": "data(colour)",
    "target-arrow-shape": "triangle", "curve-style": "bezier", "control-point-step-size": 26,
    "arrow-scale": 1.1, opacity: 0.85,
  } },
  // A merged tenant pair: one straight line, as wide as log(count), labelled with its count.
  { selector: "edge.trust.pair", style: {
    width: "data(width)", "curve-style": "straight", "target-arrow-shape": "none", opacity: 0.5,
    label: "data(countLabel)", "font-size": 10, color: "#1f2933", "min-zoomed-font-size": 9,
    "text-background-color": "#ffffff", "text-background-opacity": 0.85, "text-background-padding": "1px",
  } },
  { selector: "edge.trust.pair.single", style: { "target-arrow-shape": "triangle", "arrow-scale": 0.9 } },
  { selector: "edge.trust.partial", style: { "line-style": "dashed", "line-dash-pattern": [7, 4] } },
  { selector: "edge.trust.mutual", style: { width: 3.5, "source-arrow-shape": "none" } },
  { selector: "edge.trust.hover, edge.trust:selected, edge.trust.behind", style: {
    ...LABEL_BOX, label: "data(label)", color: "#1f2933", width: 4, opacity: 1, "z-index": 10,
    "min-zoomed-font-size": 0,
  } },
  // Behind an answer, labels lie flat so labels.js can stack them apart.
  { selector: "edge.trust.behind", style: { "text-rotation": "none" } },
  { selector: "node:selected", style: { "border-width": 4, "border-color": "#2563eb" } },
  { selector: "node.tenant.focus", style: { "overlay-color": "#2563eb", "overlay-opacity": 0.12, "overlay-padding": 6 } },
  { selector: ".faded", style: { opacity: 0.13 } },
  { selector: "edge.trust.faded", style: { opacity: 0.04, label: "" } },
  { selector: "node.object", style: {
    shape: "data(shape)", "background-color": "#fff7ed", "border-color": PATH_COLOUR,
    "border-width": 2, width: 24, height: 24, label: "data(display)", "font-size": 11,
    "text-valign": "bottom", "text-margin-y": 4, color: "#0f172a",
    "text-background-color": "#ffffff", "text-background-opacity": 0.85, "text-background-padding": "1px",
  } },
  { selector: "node.object.principal", style: { "background-color": "#dcfce7", "border-color": "#15803d", "border-width": 3 } },
  { selector: "node.object.resource", style: { "background-color": "#e0e7ff", "border-color": "#1e3a8a", "border-width": 3 } },
  { selector: "edge.hop", style: {
    ...LABEL_BOX, "text-rotation": "none", width: 4, "line-color": PATH_COLOUR, "target-arrow-color": PATH_COLOUR,
    "target-arrow-shape": "triangle", "curve-style": "bezier", label: "data(label)",
    color: "#9a3412", "z-index": 20, "arrow-scale": 1.2,
  } },
  // A hop between tenants crosses the trust bundle: its label sits near its start instead of
  // on top of the trust edges' labels.
  { selector: "edge.hop.cross", style: {
    label: "", "source-label": "data(label)", "source-text-offset": 64, "source-text-rotation": "none",
  } },
  { selector: "edge.hop.dim", style: { opacity: 0.2 } },
  { selector: "edge.block", style: {
    ...LABEL_BOX, width: 3, "line-color": BLOCK_COLOUR, "line-style": "dashed",
    "target-arrow-shape": "tee", "target-arrow-color": BLOCK_COLOUR, "curve-style": "bezier",
    label: "data(label)", color: BLOCK_COLOUR, "z-index": 20, "text-rotation": "none",
  } },
  { selector: "node.tenant.who-home", style: { "background-color": "#ecfdf5", "border-color": "#15803d", "border-width": 3 } },
  { selector: "node.tenant.who-resource", style: { "background-color": "#eef2ff", "border-color": "#1e3a8a", "border-width": 3 } },
];
