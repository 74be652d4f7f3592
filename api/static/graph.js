// The cytoscape drawing: tenants as nodes, derived trust edges coloured by kind, and overlays
// for an access verdict (path objects drawn inside their tenant, hop by hop) and for
// who-can-access (tenants highlighted with counts). Only this module touches cytoscape.
import { CLOUD_COLOUR, SHAPE, TRUST_KINDS, kindsBehind, objectKinds, tenantOf } from "./kinds.js";
import { STYLE } from "./style.js";

// Node size from its label (cytoscape's `width: label` is deprecated and sized before fonts load).
function sized(data) {
  const lines = String(data.display).split("\n");
  const longest = Math.max(...lines.map((l, i) => l.length * (i === 0 ? 8.2 : 7)));
  return { ...data, w: Math.round(longest + 30), h: lines.length * 17 + 18 };
}

function ringPositions(names, hub) {
  const pos = new Map();
  const ring = names.filter((n) => n !== hub);
  const radius = Math.max(240, ring.length * 70);
  if (hub) pos.set(hub, { x: 0, y: 0 });
  ring.forEach((name, i) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(ring.length, 1);
    pos.set(name, { x: radius * Math.cos(angle), y: radius * Math.sin(angle) });
  });
  return pos;
}

function relabel(node, display) {
  const { w, h } = sized({ display });
  node.data({ display, w, h });
}

export function createGraph(container, { onSelect }) {
  const cy = window.cytoscape({
    container, style: STYLE, minZoom: 0.15, maxZoom: 3,
    boxSelectionEnabled: false, selectionType: "single", autoungrabify: false,
  });
  const home = new Map(); // tenant -> position of the plain layout
  let focusIndex = -1;

  const tenants = () => cy.nodes(".tenant").sort((a, b) => a.id().localeCompare(b.id()));
  const setCounts = () => {
    container.dataset.nodeCount = String(cy.nodes(".tenant").length);
    container.dataset.edgeCount = String(cy.edges(".trust").length);
    container.dataset.visibleEdgeCount = String(cy.edges(".trust").not(".hidden-kind").length);
    container.dataset.pathNodeCount = String(cy.nodes(".object").length);
    container.dataset.pathEdgeCount = String(cy.edges(".hop").length);
  };

  function layout() {
    const names = tenants().map((n) => n.id());
    if (names.length > 14) {
      cy.layout({ name: "cose", animate: false, randomize: false, nodeRepulsion: () => 12000, idealEdgeLength: () => 160 }).run();
      cy.nodes(".tenant").forEach((n) => home.set(n.id(), { ...n.position() }));
    } else {
      const degree = new Map(names.map((n) => [n, cy.getElementById(n).degree(false)]));
      const top = Math.max(0, ...degree.values());
      const hubs = names.filter((n) => degree.get(n) === top);
      const hub = names.length > 2 && top > 0 && hubs.length === 1 ? hubs[0] : null;
      for (const [name, p] of ringPositions(names, hub)) home.set(name, p);
      cy.nodes(".tenant").positions((n) => home.get(n.id()));
    }
    cy.fit(undefined, 56);
  }

  function setTrustGraph(nodes, edges) {
    cy.elements().remove();
    const elements = nodes.map((t) => ({
      group: "nodes",
      classes: ["tenant", String(t.type).toLowerCase() === "b2c" ? "b2c" : ""].join(" "),
      data: sized({
        id: t.name, name: t.name, tenant: t,
        display: `${t.name}\n${String(t.cloud || "").toLowerCase()}${String(t.type).toLowerCase() === "b2c" ? " · B2C" : ""}`,
        cloudColour: CLOUD_COLOUR[String(t.cloud).toLowerCase()] || CLOUD_COLOUR.global,
      }),
    }));
    const known = new Set(nodes.map((t) => t.name));
    for (const e of edges) {
      for (const name of [e.source, e.target]) {
        if (known.has(name)) continue;
        known.add(name);
        elements.push({ group: "nodes", classes: "tenant", data: sized({ id: name, name, display: name, cloudColour: CLOUD_COLOUR.global, tenant: { name } }) });
      }
    }
    for (const e of edges) {
      const kind = TRUST_KINDS[e.kind] || { label: e.kind, colour: "#64748b" };
      const scope = String(e.scope || "all").toLowerCase();
      elements.push({
        group: "edges",
        classes: ["trust", scope === "partial" ? "partial" : "", e.kind === "DIRECT_CONNECT_MUTUAL" ? "mutual" : ""].join(" "),
        data: { ...e, id: `${e.kind}:${e.source}->${e.target}`, colour: kind.colour, label: `${kind.label} · ${e.rule}`, edge: e },
      });
    }
    cy.add(elements);
    layout();
    setCounts();
    container.dataset.rendered = "true";
  }

  function clearOverlay() {
    cy.remove(".object, .hop, .block");
    cy.elements().removeClass("faded behind who-home who-resource dim focus");
    cy.nodes(".tenant").forEach((n) => relabel(n, n.data("display").split("\n").slice(0, 2).join("\n")));
    cy.nodes(".tenant").positions((n) => home.get(n.id()) || n.position());
    delete container.dataset.overlay;
    setCounts();
  }

  // Light up the trust edges between home tenants and the resource tenant that bear on the
  // answer, in the direction each kind points (see TrustEdge), and fade everything else.
  function highlightTrust(homes, resourceTenant, kinds) {
    const involved = new Set([...homes, resourceTenant]);
    cy.nodes(".tenant").forEach((n) => n.toggleClass("faded", !involved.has(n.id())));
    cy.edges(".trust").forEach((e) => {
      const [s, t, kind] = [e.data("source"), e.data("target"), e.data("kind")];
      const fromHome = homes.has(s) && t === resourceTenant;
      const fromResource = s === resourceTenant && homes.has(t);
      const outward = ["B2B_COLLAB_OUT", "DIRECT_CONNECT_OUT", "SYNCS_USERS_TO"].includes(kind);
      const either = kind === "CROSS_CLOUD_ENABLED";
      const on = kinds.has(kind) && s !== t && (either ? fromHome || fromResource : outward ? fromHome : fromResource);
      e.toggleClass("behind", on).toggleClass("faded", !on);
    });
  }

  function focusOn(eles) {
    cy.stop();
    cy.fit(eles, 70);
    if (cy.zoom() > 1.15) cy.zoom({ level: 1.15, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
    cy.center(eles);
  }

  function showVerdict(verdict) {
    clearOverlay();
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
    highlightTrust(homes, tenantOf(verdict.resource), kindsBehind(verdict));
    container.dataset.overlay = "access";
    setCounts();
    focusOn(cy.nodes(".object").union(cy.nodes(".object").parents()).union(cy.edges(".behind")));
    return cy.edges(".behind").map((e) => e.data("edge"));
  }

  function emphasisePath(index) {
    cy.edges(".hop").forEach((e) => e.toggleClass("dim", index !== null && !e.data("paths").includes(index)));
  }

  function showWho(resource, items) {
    clearOverlay();
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
    container.dataset.overlay = "who";
    container.dataset.whoCount = String(items.length);
    focusOn(cy.nodes(".tenant").not(".faded"));
  }

  function setHiddenKinds(hidden) {
    cy.edges(".trust").forEach((e) => e.toggleClass("hidden-kind", hidden.has(e.data("kind"))));
    setCounts();
  }

  // Without an overlay, selecting a tenant fades what does not touch it; tapping the
  // background brings everything back.
  function spotlight(ele) {
    if (container.dataset.overlay) return;
    cy.elements().removeClass("faded");
    if (!ele || !ele.hasClass("tenant")) return;
    const near = ele.closedNeighborhood();
    cy.elements().not(near).addClass("faded");
  }

  function select(id) {
    const ele = cy.getElementById(id);
    if (ele.empty()) return;
    cy.elements().unselect();
    ele.select();
    spotlight(ele);
    onSelect(describe(ele));
    if (ele.isNode()) cy.animate({ center: { eles: ele } }, { duration: 200 });
  }

  function describe(ele) {
    if (ele.hasClass("tenant")) return { type: "tenant", tenant: ele.data("tenant"), edges: cy.edges(".trust").filter((e) => e.data("source") === ele.id() || e.data("target") === ele.id()).map((e) => e.data("edge")) };
    if (ele.hasClass("trust")) return { type: "edge", edge: ele.data("edge") };
    if (ele.hasClass("object")) return { type: "object", ref: ele.data("ref"), kind: ele.data("kind") };
    if (ele.hasClass("hop")) return { type: "hop", hop: ele.data("hop"), step: ele.data("step") };
    return null;
  }

  cy.on("tap", (evt) => {
    if (evt.target === cy) { spotlight(null); return; }
    spotlight(evt.target);
    const d = describe(evt.target);
    if (d) onSelect(d);
  });
  cy.on("mouseover", "edge.trust", (evt) => evt.target.addClass("hover"));
  cy.on("mouseout", "edge.trust", (evt) => evt.target.removeClass("hover"));
  container.addEventListener("keydown", (evt) => {
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
    cy, setTrustGraph, layout, showVerdict, emphasisePath, showWho, clearOverlay, setHiddenKinds, select,
    fit: () => cy.animate({ fit: { eles: cy.elements(":visible"), padding: 40 } }, { duration: 200 }),
    png: () => cy.png({ full: true, scale: 2, bg: "#ffffff", output: "blob" }),
  };
}
