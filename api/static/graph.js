// The cytoscape drawing: tenants as nodes and the trust edges between them, merged into one
// edge per tenant pair (its count as label; a click expands the pair into its edges of each
// kind), plus overlays for an access verdict (path objects drawn inside their tenant, hop by
// hop) and for who-can-access (tenants highlighted with counts). Only this module (and
// layout.js) touch cytoscape. Every overlay and every focus re-fits the view.
import { CLOUD_COLOUR, SHAPE, TRUST_KINDS, kindsBehind, objectKinds, tenantOf } from "./kinds.js";
import { clearLabelShifts, nodeBoxes, separateLabels } from "./labels.js";
import { layoutTenants } from "./layout.js";
import { STYLE } from "./style.js";

// Tenants from which pans and zooms draw a cached texture of the nodes only (smooth at 1,000);
// the edges come back as soon as the view stops moving.
const BIG = 300;
const MIXED = "#52606d"; // a merged edge of several kinds
const SMALL = 14; // tenants up to which every trust edge is drawn on its own

// The plugins' UMD builds may register themselves when they find window.cytoscape.
for (const [name, plugin] of [["fcose", window.cytoscapeFcose], ["svg", window.cytoscapeSvg]]) {
  const ext = name === "fcose" ? window.cytoscape?.("layout", name) : window.cytoscape?.("core", name);
  if (plugin && window.cytoscape && !ext) window.cytoscape.use(plugin);
}

// Node size from its label (cytoscape's `width: label` is deprecated and sized before fonts load).
function sized(data) {
  const lines = String(data.display).split("\n");
  const longest = Math.max(...lines.map((l, i) => l.length * (i === 0 ? 8.2 : 7)));
  return { ...data, w: Math.round(longest + 30), h: lines.length * 17 + 18 };
}

function relabel(node, display) {
  const { w, h } = sized({ display });
  node.data({ display, w, h });
}

const pairOf = (a, b) => (a < b ? `${a}|${b}` : `${b}|${a}`);
export const edgeId = (e) => `${e.kind}:${e.source}->${e.target}`;

export function createGraph(container, { onSelect }) {
  let cy = null;
  let raw = []; // every trust edge from the API
  let hidden = new Set(); // trust kinds switched off in the legend
  const expanded = new Set(); // tenant pairs drawn edge by edge
  const home = new Map(); // tenant -> position of the plain layout
  let focusIndex = -1;

  const tenants = () => cy.nodes(".tenant").sort((a, b) => a.id().localeCompare(b.id()));
  const visible = () => raw.filter((e) => !hidden.has(e.kind));
  const setCounts = () => {
    container.dataset.nodeCount = String(cy.nodes(".tenant").length);
    container.dataset.edgeCount = String(raw.length);
    container.dataset.visibleEdgeCount = String(visible().length);
    container.dataset.pairCount = String(cy.edges(".pair").length);
    container.dataset.pathNodeCount = String(cy.nodes(".object").length);
    container.dataset.pathEdgeCount = String(cy.edges(".hop").length);
  };

  function mount(size) {
    if (cy) cy.destroy();
    const big = size >= BIG;
    cy = window.cytoscape({
      container, style: STYLE, minZoom: 0.02, maxZoom: 3, boxSelectionEnabled: false,
      selectionType: "single", textureOnViewport: big, hideEdgesOnViewport: big,
      motionBlur: false, pixelRatio: big ? 1 : "auto",
    });
    container.dataset.textureOnViewport = String(big);
    wire();
  }

  // The trust edges as drawn: one per tenant pair, or one per edge for an expanded pair.
  function trustElements() {
    const pairs = new Map();
    for (const e of visible()) {
      if (e.source === e.target) continue;
      const key = pairOf(e.source, e.target);
      if (!pairs.has(key)) pairs.set(key, []);
      pairs.get(key).push(e);
    }
    const out = [];
    for (const [key, edges] of pairs) {
      if (expanded.has(key)) {
        for (const e of edges) {
          const kind = TRUST_KINDS[e.kind] || { label: e.kind, colour: MIXED };
          const scope = String(e.scope || "all").toLowerCase();
          out.push({ group: "edges",
            classes: ["trust", "raw", scope === "partial" ? "partial" : "", e.kind === "DIRECT_CONNECT_MUTUAL" ? "mutual" : ""].join(" "),
            data: { id: edgeId(e), source: e.source, target: e.target, kind: e.kind, pair: key, colour: kind.colour, label: `${kind.label} · ${e.rule}`, edge: e } });
        }
        continue;
      }
      const [a, b] = key.split("|");
      const kinds = [...new Set(edges.map((e) => e.kind))];
      const one = kinds.length === 1 ? TRUST_KINDS[kinds[0]] : null;
      const label = edges.length === 1 ? `${one ? one.label : kinds[0]} · ${edges[0].rule}` : `${edges.length} edges · ${kinds.length} kind${kinds.length === 1 ? "" : "s"}`;
      out.push({ group: "edges", classes: edges.length === 1 ? "trust pair single" : "trust pair",
        data: { id: `pair:${key}`, source: edges.length === 1 ? edges[0].source : a, target: edges.length === 1 ? edges[0].target : b,
          pair: key, count: edges.length, countLabel: edges.length > 1 ? String(edges.length) : "",
          width: Math.min(1.5 + Math.log2(edges.length) * 1.2, 6), colour: one ? one.colour : MIXED, label, edges } });
    }
    return out;
  }

  function redrawTrust() {
    cy.batch(() => {
      cy.remove(".trust");
      cy.add(trustElements());
    });
    setCounts();
  }

  function layout() {
    const started = performance.now();
    const pos = layoutTenants(cy);
    container.dataset.layoutMs = String(Math.round(performance.now() - started));
    for (const [name, p] of pos) home.set(name, p);
    cy.nodes(".tenant").positions((n) => home.get(n.id()) || n.position());
    cy.fit(undefined, 40);
  }

  function setTrustGraph(nodes, edges) {
    const names = new Set(nodes.map((t) => t.name));
    mount(names.size);
    raw = edges;
    expanded.clear();
    // A handful of tenants reads best with every edge in its kind's colour: pairs start expanded.
    if (names.size <= SMALL) for (const e of edges) expanded.add(pairOf(e.source, e.target));
    const elements = nodes.map((t) => ({
      group: "nodes",
      classes: ["tenant", String(t.type).toLowerCase() === "b2c" ? "b2c" : ""].join(" "),
      data: sized({
        id: t.name, name: t.name, tenant: t,
        display: `${t.name}\n${String(t.cloud || "").toLowerCase()}${String(t.type).toLowerCase() === "b2c" ? " · B2C" : ""}`,
        cloudColour: CLOUD_COLOUR[String(t.cloud).toLowerCase()] || CLOUD_COLOUR.global,
      }),
    }));
    for (const e of edges) {
      for (const name of [e.source, e.target]) {
        if (names.has(name)) continue;
        names.add(name);
        elements.push({ group: "nodes", classes: "tenant", data: sized({ id: name, name, display: name, cloudColour: CLOUD_COLOUR.global, tenant: { name } }) });
      }
    }
    cy.batch(() => {
      cy.add(elements);
      cy.add(trustElements());
    });
    layout();
    setCounts();
    container.dataset.rendered = "true";
  }

  function fitTo(eles, padding = 50) {
    cy.stop();
    cy.fit(eles, padding);
    if (cy.zoom() > 1.15) cy.zoom({ level: 1.15, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
    cy.center(eles);
    container.dataset.fits = String(Number(container.dataset.fits || 0) + 1);
  }

  function clearOverlay(refit = true) {
    if (!cy) return;
    cy.remove(".object, .hop, .block");
    clearLabelShifts(cy.edges());
    cy.elements().removeClass("faded behind who-home who-resource dim focus");
    cy.nodes(".tenant").forEach((n) => relabel(n, n.data("display").split("\n").slice(0, 2).join("\n")));
    cy.nodes(".tenant").positions((n) => home.get(n.id()) || n.position());
    delete container.dataset.overlay;
    delete container.dataset.focus;
    setCounts();
    if (refit) fitTo(cy.elements(), 40);
  }

  // Light up the trust edges between home tenants and the resource tenant that bear on the
  // answer, in the direction each kind points (see TrustEdge), and fade everything else.
  // Returns the trust edges behind the answer.
  function highlightTrust(homes, resourceTenant, kinds) {
    const involved = new Set([...homes, resourceTenant]);
    const on = new Set(visible().filter((e) => {
      const fromHome = homes.has(e.source) && e.target === resourceTenant;
      const fromResource = e.source === resourceTenant && homes.has(e.target);
      const outward = ["B2B_COLLAB_OUT", "DIRECT_CONNECT_OUT", "SYNCS_USERS_TO"].includes(e.kind);
      const either = e.kind === "CROSS_CLOUD_ENABLED";
      return kinds.has(e.kind) && e.source !== e.target && (either ? fromHome || fromResource : outward ? fromHome : fromResource);
    }));
    cy.batch(() => {
      cy.nodes(".tenant").forEach((n) => n.toggleClass("faded", !involved.has(n.id())));
      cy.edges(".trust").forEach((el) => {
        const lit = el.hasClass("raw") ? on.has(el.data("edge")) : el.data("edges").some((e) => on.has(e));
        el.toggleClass("behind", lit).toggleClass("faded", !lit);
      });
    });
    return [...on];
  }

  // The labels an overlay shows (the path's hops first, then the trust edges behind it) are
  // moved apart so none covers another or an object.
  function unclutter() {
    const shown = cy.nodes(".object").union(cy.nodes(".tenant").not(".faded"));
    separateLabels(cy.edges(".hop, .block").union(cy.edges(".trust.behind")), nodeBoxes(shown));
  }

  function showVerdict(verdict) {
    clearOverlay(false);
    const kindOf = objectKinds(verdict);
    const refs = [verdict.principal];
    for (const path of verdict.paths || []) for (const hop of path.hops) refs.push(hop.source, hop.target);
    refs.push(verdict.resource);
    const byTenant = new Map();
    for (const ref of new Set(refs)) {
      const t = tenantOf(ref);
      if (!byTenant.has(t)) byTenant.set(t, []);
      byTenant.get(t).push(ref);
    }
    const added = [];
    for (const [t, list] of byTenant) {
      if (cy.getElementById(t).empty()) {
        added.push({ group: "nodes", classes: "tenant", data: sized({ id: t, name: t, display: t, cloudColour: CLOUD_COLOUR.global, tenant: { name: t } }) });
      }
      const centre = home.get(t) || { x: 0, y: 0 };
      const rows = Math.min(list.length, 4);
      const cols = Math.ceil(list.length / 4);
      list.forEach((ref, i) => {
        const role = ref === verdict.principal ? "principal" : ref === verdict.resource ? "resource" : "";
        const kind = kindOf(ref);
        added.push({
          group: "nodes", classes: `object ${role}`,
          position: { x: centre.x + (Math.floor(i / 4) - (cols - 1) / 2) * 170, y: centre.y + ((i % 4) - (rows - 1) / 2) * 96 },
          data: { id: `obj:${ref}`, parent: t, ref, kind, role, shape: SHAPE[kind] || "ellipse", display: ref.split("/").slice(1).join("/") || ref },
        });
      });
    }
    const hops = new Map();
    (verdict.paths || []).forEach((path, p) => path.hops.forEach((hop, h) => {
      const key = `${hop.source}|${hop.target}|${hop.kind}|${hop.rule}`;
      if (hops.has(key)) { hops.get(key).data.paths.push(p); return; }
      const cross = tenantOf(hop.source) !== tenantOf(hop.target);
      hops.set(key, { group: "edges", classes: cross ? "hop cross" : "hop", data: {
        id: `hop:${hops.size}`, source: `obj:${hop.source}`, target: `obj:${hop.target}`, hop, step: h + 1,
        paths: [p], label: `${h + 1}. ${hop.kind} · ${hop.rule}`,
      } });
    }));
    added.push(...hops.values());
    if (!(verdict.paths || []).length && verdict.principal !== verdict.resource) {
      const gates = (verdict.reasons || []).map((r) => `${String(r.code).toLowerCase()} (${r.rule})`).join(", ");
      added.push({ group: "edges", classes: "block", data: {
        id: "block", source: `obj:${verdict.principal}`, target: `obj:${verdict.resource}`,
        label: `✕ ${gates || String(verdict.decision).toLowerCase()}`,
      } });
    }
    cy.add(added);
    const homes = new Set([...byTenant.keys()].filter((t) => t !== tenantOf(verdict.resource)));
    const behind = highlightTrust(homes, tenantOf(verdict.resource), kindsBehind(verdict));
    unclutter();
    container.dataset.overlay = "access";
    setCounts();
    fitTo(cy.nodes(".object").union(cy.nodes(".object").parents()).union(cy.edges(".behind").connectedNodes()), 70);
    return behind;
  }

  function emphasisePath(index) {
    cy.edges(".hop").forEach((e) => e.toggleClass("dim", index !== null && !e.data("paths").includes(index)));
  }

  // `items` are the who-can-access answers loaded so far (the list pages in as it scrolls);
  // `refit` is false for later pages so the view does not jump while reading.
  function showWho(resource, items, refit = true) {
    clearOverlay(false);
    const target = tenantOf(resource);
    const counts = new Map(); // home tenant -> {allow, pending}
    for (const item of items) {
      const c = counts.get(tenantOf(item.principal)) || { allow: 0, pending: 0 };
      if (String(item.decision).toLowerCase() === "pending") c.pending += 1;
      else c.allow += 1;
      counts.set(tenantOf(item.principal), c);
    }
    for (const [t, c] of counts) {
      const n = cy.getElementById(t);
      if (n.empty()) continue;
      const line = [c.allow ? `${c.allow} can access` : "", c.pending ? `${c.pending} pending` : ""].filter(Boolean).join(" · ");
      relabel(n.addClass("who-home"), `${n.data("display")}\n${line}`);
    }
    const res = cy.getElementById(target);
    if (res.nonempty()) relabel(res.addClass("who-resource"), `${res.data("display")}\n★ ${resource.split("/").slice(1).join("/")}`);
    const homes = new Set([...counts.keys()].filter((t) => t !== target));
    const kinds = new Set(items.flatMap((item) => [...kindsBehind(item)]));
    highlightTrust(homes, target, kinds);
    cy.nodes(".tenant").filter((n) => n.id() === target || counts.has(n.id())).removeClass("faded");
    unclutter();
    container.dataset.overlay = "who";
    container.dataset.whoCount = String(items.length);
    if (refit) fitTo(cy.nodes(".tenant").not(".faded"), 70);
  }

  function setHiddenKinds(kinds) {
    hidden = new Set(kinds);
    redrawTrust();
    if (!container.dataset.overlay) fitTo(cy.elements(), 40);
  }

  // Neighbourhood focus: a selected tenant, its partners and the edges between them stay; the
  // rest fades, and the view fits the neighbourhood. Tapping the background brings all back.
  function spotlight(ele) {
    if (container.dataset.overlay) return;
    cy.elements().removeClass("faded");
    delete container.dataset.focus;
    if (!ele || !ele.hasClass("tenant")) return;
    const near = ele.closedNeighborhood();
    cy.elements().not(near).addClass("faded");
    container.dataset.focus = ele.id();
    container.dataset.focusSize = String(near.nodes().length);
    fitTo(near, 60);
  }

  function togglePair(key) {
    if (expanded.has(key)) expanded.delete(key);
    else expanded.add(key);
    redrawTrust();
  }

  function select(id) {
    if (!cy) return;
    let ele = cy.getElementById(id);
    if (ele.empty() && id.includes("->")) {
      const [source, target] = id.slice(id.indexOf(":") + 1).split("->");
      expanded.add(pairOf(source, target));
      redrawTrust();
      ele = cy.getElementById(id);
    }
    if (ele.empty()) return;
    cy.elements().unselect();
    ele.select();
    if (ele.isNode()) spotlight(ele);
    else if (!container.dataset.overlay) fitTo(ele.connectedNodes(), 80);
    onSelect(describe(ele));
  }

  function describe(ele) {
    if (ele.hasClass("tenant")) return { type: "tenant", tenant: ele.data("tenant"), edges: raw.filter((e) => e.source === ele.id() || e.target === ele.id()) };
    if (ele.hasClass("pair")) return { type: "pair", pair: ele.data("pair"), edges: ele.data("edges"), expanded: expanded.has(ele.data("pair")) };
    if (ele.hasClass("raw")) return { type: "edge", edge: ele.data("edge") };
    if (ele.hasClass("object")) return { type: "object", ref: ele.data("ref"), kind: ele.data("kind") };
    if (ele.hasClass("hop")) return { type: "hop", hop: ele.data("hop"), step: ele.data("step") };
    return null;
  }

  function wire() {
    cy.on("tap", (evt) => {
      if (evt.target === cy) { spotlight(null); return; }
      spotlight(evt.target);
      const d = describe(evt.target);
      if (d) onSelect(d);
    });
    cy.on("mouseover", "edge.trust", (evt) => evt.target.addClass("hover"));
    cy.on("mouseout", "edge.trust", (evt) => evt.target.removeClass("hover"));
  }

  container.addEventListener("keydown", (evt) => {
    if (!cy) return;
    const list = tenants();
    if (!list.length) return;
    if (["ArrowRight", "ArrowDown", "ArrowLeft", "ArrowUp"].includes(evt.key)) {
      evt.preventDefault();
      const step = evt.key === "ArrowRight" || evt.key === "ArrowDown" ? 1 : -1;
      focusIndex = (focusIndex + step + list.length) % list.length;
      cy.nodes(".tenant").removeClass("focus");
      list[focusIndex].addClass("focus");
      container.setAttribute("aria-label", `Tenant ${list[focusIndex].id()} (${focusIndex + 1} of ${list.length}). Enter shows its settings.`);
    } else if (evt.key === "Enter" && focusIndex >= 0) {
      evt.preventDefault();
      select(list[focusIndex].id());
    } else if (evt.key === "Escape") {
      clearOverlay();
    }
  });

  return {
    get cy() { return cy; },
    setTrustGraph, layout, showVerdict, emphasisePath, showWho, clearOverlay, setHiddenKinds, select, togglePair,
    fit: () => { if (cy) fitTo(cy.elements(":visible"), 40); },
    refit: () => { if (cy) { cy.resize(); fitTo(cy.elements(":visible"), 40); } },
    png: () => cy.png({ full: false, scale: 2, bg: "#ffffff", output: "blob" }),
    svg: () => new Blob([cy.svg({ full: false, scale: 1, bg: "#ffffff" })], { type: "image/svg+xml" }),
  };
}
