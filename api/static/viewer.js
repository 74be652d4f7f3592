// Entry point of the trust-graph viewer: loads the trust graph from the GraphQL API and wires
// tabs, legend filters, search, and the access and who-can-access forms. State worth sharing
// (an access question, a who-can-access resource) is kept in the URL hash, so a link shows it.
import { setupBrowser } from "./browse.js";
import { checkAccess, gql, setToken, tenantSettings, Unauthenticated, viaValues, TRUST_GRAPH } from "./gql.js";
import { createGraph, edgeId } from "./graph.js";
import { TRUST_KINDS } from "./kinds.js";
import {
  el, renderEdge, renderError, renderHop, renderObject, renderPair, renderTenant, renderVerdict,
} from "./panels.js";
import { setupSearch, setupSuggestions } from "./search.js";
import { signedInAs, signIn } from "./signin.js";
import { showWho } from "./who.js";

const $ = (id) => document.getElementById(id);
const state = { edges: [], tenants: [], hidden: new Set() };

// ---- tabs (WAI-ARIA tabs pattern: arrow keys move between tabs) -----------------------------
const tabs = [...document.querySelectorAll('[role="tab"]')];
function showTab(id) {
  for (const tab of tabs) {
    const on = tab.id === id;
    tab.setAttribute("aria-selected", String(on));
    tab.tabIndex = on ? 0 : -1;
    $(tab.getAttribute("aria-controls")).hidden = !on;
  }
  if (id === "tab-list" && !state.listed) renderLists(); // thousands of rows: only when asked
}
tabs.forEach((tab, i) => {
  tab.addEventListener("click", () => showTab(tab.id));
  tab.addEventListener("keydown", (evt) => {
    const step = { ArrowRight: 1, ArrowLeft: -1 }[evt.key];
    if (!step) return;
    const next = tabs[(i + step + tabs.length) % tabs.length];
    next.focus();
    showTab(next.id);
  });
});

// ---- graph and details ---------------------------------------------------------------------
const details = $("details");
const graph = createGraph($("graph"), { onSelect: showDetails });
window.tenantgraphViewer = { graph }; // for debugging from the browser console

function selectEdge(e) {
  graph.select(edgeId(e));
}

function showDetails(what) {
  showTab("tab-details");
  if (what.type === "tenant") renderTenant(details, what, selectEdge, tenantSettings(what.tenant.name));
  else if (what.type === "edge") renderEdge(details, what.edge, tenantSettings(what.edge.source));
  else if (what.type === "pair") {
    renderPair(details, what, selectEdge, () => {
      graph.togglePair(what.pair);
      showDetails({ ...what, expanded: !what.expanded });
    });
  }
  else if (what.type === "hop") renderHop(details, what);
  else if (what.type === "object") {
    renderObject(details, what, {
      asPrincipal: (ref) => fill("access-principal", ref),
      asResource: (ref) => fill("access-resource", ref),
    });
  }
}

function fill(id, value) {
  $(id).value = value;
  showTab(id.startsWith("who") ? "tab-who" : "tab-access");
  $(id).focus();
}

function status(text, isError = false) {
  $("graph-status").textContent = text;
  $("graph-status").classList.toggle("error", isError);
}

// ---- legend: one toggle per trust kind, with its count -------------------------------------
function renderLegend() {
  const counts = new Map();
  for (const e of state.edges) counts.set(e.kind, (counts.get(e.kind) || 0) + 1);
  $("legend-items").replaceChildren(...Object.entries(TRUST_KINDS).map(([kind, k]) => {
    const n = counts.get(kind) || 0;
    const toggle = (evt) => {
      if (evt.target.checked) state.hidden.delete(kind);
      else state.hidden.add(kind);
      graph.setHiddenKinds(state.hidden);
    };
    return el("li", { class: n ? "" : "absent" },
      el("input", { type: "checkbox", id: `kind-${kind}`, checked: !state.hidden.has(kind), disabled: !n,
        "data-kind": kind, onchange: toggle }),
      el("label", { for: `kind-${kind}` },
        el("span", { class: "swatch", style: `background:${k.colour}`, "aria-hidden": "true" }), `${k.label} (${n})`));
  }));
}

function renderLists() {
  state.listed = true;
  $("list-tenants").replaceChildren(...state.tenants.map((t) => el("li", {},
    el("button", { type: "button", class: "linklike", onclick: () => graph.select(t.name) },
      `${t.name} · ${String(t.cloud || "").toLowerCase()}`))));
  $("list-edges").replaceChildren(...state.edges.map((e) => el("li", {},
    el("button", { type: "button", class: "linklike", onclick: () => selectEdge(e) },
      `${e.source} → ${e.target}: ${(TRUST_KINDS[e.kind] || { label: e.kind }).label} (${e.rule})`))));
}

// ---- access --------------------------------------------------------------------------------
async function runAccess(principal, resource, via) {
  const target = $("access-result");
  target.replaceChildren(el("p", { class: "muted", role: "status" }, "Checking…"));
  try {
    const verdict = await checkAccess(principal, resource, via || "ANY");
    const behind = graph.showVerdict(verdict);
    renderVerdict(target, verdict, (i) => graph.emphasisePath(i), behind, selectEdge);
    const hash = new URLSearchParams({ principal, resource });
    if (via && via !== "ANY") hash.set("via", via);
    history.replaceState(null, "", `#${hash}`);
  } catch (err) {
    graph.clearOverlay();
    renderError(target, `Could not check access: ${err.message}`);
  }
}

$("access-form").addEventListener("submit", (evt) => {
  evt.preventDefault();
  showTab("tab-access");
  runAccess($("access-principal").value.trim(), $("access-resource").value.trim(), $("access-via").value);
});

// ---- who can access ------------------------------------------------------------------------
async function runWho(resource) {
  const target = $("who-result");
  const outsiders = $("who-outsiders").checked;
  target.replaceChildren(el("p", { class: "muted", role: "status" }, "Looking up…"));
  try {
    await showWho(target, resource, {
      outsiders,
      onPick: (principal) => {
        $("access-principal").value = principal;
        $("access-resource").value = resource;
        showTab("tab-access");
        runAccess(principal, resource, $("access-via").value);
      },
      onItems: (items, first) => graph.showWho(resource, items, first),
    });
    const hash = outsiders ? { who: resource } : { who: resource, outsiders: "0" };
    history.replaceState(null, "", `#${new URLSearchParams(hash)}`);
  } catch (err) {
    graph.clearOverlay();
    renderError(target, `Could not look up who can access: ${err.message}`);
  }
}

$("who-form").addEventListener("submit", (evt) => {
  evt.preventDefault();
  showTab("tab-who");
  runWho($("who-resource").value.trim());
});
// the toggle asks again for the resource on show (if any): counts and rows follow it at once
$("who-outsiders").addEventListener("change", () => {
  const resource = $("who-resource").value.trim();
  if (resource && $("who-result").childElementCount) runWho(resource);
});

// ---- search, suggestions and the object browser -------------------------------------------
const browser = setupBrowser($("browse-form"), $("browse-result"), {
  asPrincipal: (ref) => fill("access-principal", ref),
  asResource: (ref) => fill("access-resource", ref),
  who: (ref) => { $("who-resource").value = ref; showTab("tab-who"); runWho(ref); },
  showTenant: (name) => graph.select(name),
});

setupSearch($("search-input"), $("search-results"), (hit) => {
  if (hit.kind === "tenant") {
    graph.select(hit.ref);
    showTab("tab-browse");
    browser.open(hit.ref);
  } else if (hit.kind === "user") fill("access-principal", hit.home || hit.ref);
  else if (hit.kind === "group") graph.select(hit.ref.split("/")[0]);
  else {
    $("who-resource").value = hit.ref;
    fill("access-resource", hit.ref);
  }
});
setupSuggestions($("access-principal"), $("principal-options"), ["user"]);
setupSuggestions($("access-resource"), $("resource-options"), ["app", "channel"]);
setupSuggestions($("who-resource"), $("resource-options"), ["app", "channel"]);

// ---- toolbar -------------------------------------------------------------------------------
function download(blob, name) {
  const a = el("a", { href: URL.createObjectURL(blob), download: name });
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
$("fit").addEventListener("click", () => graph.fit());
$("relayout").addEventListener("click", () => { graph.clearOverlay(false); graph.layout(); });
$("clear").addEventListener("click", () => graph.clearOverlay());
$("png").addEventListener("click", () => download(graph.png(), "tenantgraph-trust.png"));
$("svg").addEventListener("click", () => download(graph.svg(), "tenantgraph-trust.svg"));

// ---- start ---------------------------------------------------------------------------------
async function loadVia() {
  const values = await viaValues().catch(() => []);
  $("access-via").replaceChildren(el("option", { value: "ANY" }, "any (the engine picks)"),
    ...values.filter((v) => v !== "ANY").map((v) => el("option", { value: v }, v.toLowerCase().replaceAll("_", " "))));
}

function replayHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  if (params.get("principal") && params.get("resource")) {
    $("access-principal").value = params.get("principal");
    $("access-resource").value = params.get("resource");
    if (params.get("via")) $("access-via").value = params.get("via");
    showTab("tab-access");
    return runAccess(params.get("principal"), params.get("resource"), params.get("via"));
  }
  if (params.get("who")) {
    $("who-resource").value = params.get("who");
    $("who-outsiders").checked = params.get("outsiders") !== "0";
    showTab("tab-who");
    return runWho(params.get("who"));
  }
  return null;
}

function askForToken(why) {
  const form = $("token-form");
  $("token-why").textContent = `${why[0].toUpperCase()}${why.slice(1)}: paste one made with \`tenantgraph token create --role reader\`.`;
  form.hidden = false;
  $("token-input").focus();
}

$("token-form").addEventListener("submit", (evt) => {
  evt.preventDefault();
  setToken($("token-input").value.trim());
  $("token-form").hidden = true;
  start();
});

async function start(renew = false) {
  if (typeof window.cytoscape !== "function") {
    status("The graph library did not load (/vendor/cytoscape.min.js): run `make setup`.", true);
    return;
  }
  try {
    state.entra = await signIn(renew); // Entra ID when the server has it, else the token prompt
  } catch (err) {
    status(`Could not sign in with Entra ID: ${err.message}`, true);
    return;
  }
  try {
    const asked = performance.now();
    const data = await gql(TRUST_GRAPH);
    $("graph").dataset.fetchMs = String(Math.round(performance.now() - asked));
    state.tenants = data.trustGraph.nodes;
    state.edges = data.trustGraph.edges;
    graph.setTrustGraph(state.tenants, state.edges);
    renderLegend();
    graph.refit(); // the legend just took its height from the canvas
    state.listed = false;
    $("tenant-options").replaceChildren(...state.tenants.map((t) => el("option", { value: t.name })));
    status(`${state.tenants.length} tenants · ${state.edges.length} trust edges`);
    const snap = data.currentSnapshot;
    if (snap) {
      const who = signedInAs();
      $("snapshot").textContent = `snapshot ${snap.id}${snap.title ? ` · ${snap.title}` : ""}${who ? ` · ${who}` : ""}`;
      $("snapshot").title = $("snapshot").textContent;
    }
  } catch (err) {
    if (err instanceof Unauthenticated && state.entra && !renew) {
      await start(true); // the access token expired: one fresh one
    } else if (err instanceof Unauthenticated && !state.entra) {
      status("Sign in to see the trust graph.");
      askForToken(err.message);
    } else {
      status(`Could not load the trust graph: ${err.message}`, true);
    }
    return;
  }
  if (!state.tenants.length) status("This snapshot has no tenants: load a world with `tenantgraph load FILE`.", true);
  await loadVia();
  await replayHash();
  document.body.dataset.ready = "true";
}

start();
