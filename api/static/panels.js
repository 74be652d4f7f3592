// Side-panel rendering. Everything is built with DOM calls (never innerHTML with API data), so
// names from a world file cannot inject markup.
import { breakable } from "./ids.js";
import { TRUST_KINDS, tenantOf } from "./kinds.js";
import { policySection, renderTenantSettings, renderValue } from "./settings.js";

/** Create an element: el("p", {class: "x", "data-testid": "y"}, "text", child...). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** replaceChildren that skips null/false (replaceChildren itself would print "null"). */
function fillIn(target, ...children) {
  target.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

/** A message with `backticked` names shown as code, as the engine writes them. */
function prose(text) {
  return String(text ?? "").split("`").map((part, i) => (i % 2 ? code(part) : part));
}

/** A placeholder filled when `promise` resolves to DOM (or an error line). */
function slot(promise, render, testid) {
  const box = el("div", { class: "slot", "data-testid": testid }, el("p", { class: "muted" }, "Loading settings…"));
  promise.then((value) => fillIn(box, render(value)))
    .catch((err) => fillIn(box, el("p", { class: "muted" }, `Settings unavailable: ${err.message}`)));
  return box;
}

const lower = (v) => String(v ?? "").toLowerCase();
const code = (text) => el("code", {}, text);
const facts = (rows) => el("dl", { class: "facts" }, rows.filter(([, v]) => v !== null && v !== undefined && v !== "")
  .flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
const link = (url) => (url ? el("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, "documentation") : null);
const swatch = (kind) => el("span", { class: "swatch", style: `background:${(TRUST_KINDS[kind] || {}).colour || "#64748b"}`, "aria-hidden": "true" });

export function badge(decision) {
  const d = lower(decision);
  return el("span", { class: `badge ${d}`, "data-testid": "access-decision", "data-decision": d }, d.toUpperCase());
}

function edgeLine(e, onPick) {
  const kind = TRUST_KINDS[e.kind] || { label: e.kind };
  return el("li", {}, el("button", { type: "button", class: "linklike", onclick: () => onPick(e) },
    swatch(e.kind), `${e.source} → ${e.target}`,
    el("span", { class: "muted" }, ` ${kind.label} · ${e.rule}${lower(e.scope) === "partial" ? " · partial" : ""}`)));
}

export function renderTenant(target, { tenant, edges }, onPickEdge, settings) {
  const out = edges.filter((e) => e.source === tenant.name);
  const incoming = edges.filter((e) => e.target === tenant.name);
  fillIn(target,
    el("h2", { "data-testid": "details-title" }, `Tenant ${tenant.name}`),
    facts([["Tenant id", tenant.id], ["Cloud", lower(tenant.cloud)], ["Type", lower(tenant.type)],
      ["Domains", (tenant.domains || []).join(", ")]]),
    el("h3", {}, `Settings of ${tenant.name} (${out.length})`),
    el("p", { class: "muted" }, "Edges leave the tenant whose setting creates them."),
    out.length ? el("ul", { class: "plain edges" }, out.map((e) => edgeLine(e, onPickEdge))) : el("p", { class: "muted" }, "None."),
    el("h3", {}, `Settings of partners about ${tenant.name} (${incoming.length})`),
    incoming.length ? el("ul", { class: "plain edges" }, incoming.map((e) => edgeLine(e, onPickEdge))) : el("p", { class: "muted" }, "None."),
    tenant.redacted ? null : slot(settings, renderTenantSettings, "tenant-settings"),
  );
}

export function renderEdge(target, e, settings) {
  const kind = TRUST_KINDS[e.kind] || { label: e.kind, meaning: () => "" };
  fillIn(target,
    el("h2", { "data-testid": "details-title" }, swatch(e.kind), `${kind.label}`),
    el("p", { class: "lead" }, kind.meaning(e.source, e.target)),
    facts([["Kind", code(e.kind)], ["From", e.source], ["To", e.target], ["Rule", code(e.rule)],
      ["Setting", el("span", {}, code(`${e.source}: ${e.policy}`))],
      ["Scope", lower(e.scope) === "partial" ? "partial — targeting narrows it to some users or apps" : "all users and apps"],
      ["Source", link(e.sourceUrl)]]),
    e.policy ? slot(settings, (t) => {
      const found = policySection(t, e.policy);
      if (!found) return el("p", { class: "muted" }, "No stored setting matches this policy path.");
      return [el("h3", {}, `The setting: ${e.source}'s ${found.label}`), renderValue(found.value)];
    }, "edge-setting") : null,
  );
}

export function renderObject(target, { ref, kind }, actions) {
  fillIn(target,
    el("h2", { "data-testid": "details-title" }, ref),
    facts([["Kind", kind], ["Tenant", tenantOf(ref)]]),
    el("div", { class: "actions" },
      el("button", { type: "button", onclick: () => actions.asPrincipal(ref) }, "Use as principal"),
      el("button", { type: "button", onclick: () => actions.asResource(ref) }, "Use as resource")),
  );
}

export function renderHop(target, { hop, step }) {
  fillIn(target,
    el("h2", { "data-testid": "details-title" }, `Hop ${step}: ${hop.kind}`),
    facts([["From", hop.source], ["To", hop.target], ["Edge", code(hop.kind)], ["Rule", code(hop.rule)],
      ["Setting", hop.policy ? code(hop.policy) : null], ["Source", link(hop.sourceUrl)]]),
  );
}

function hopItem(hop, i) {
  return el("li", { class: "hop", "data-testid": "access-hop", "data-edge-kind": hop.kind, "data-rule": hop.rule },
    el("span", { class: "step" }, `${i + 1}`),
    el("span", { class: "hop-text" }, el("span", { class: "ref" }, hop.source), " → ", el("span", { class: "ref" }, hop.target),
      el("br"), code(hop.kind), " · rule ", code(hop.rule), hop.policy ? [" · ", el("span", { class: "muted" }, breakable(hop.policy))] : null));
}

function reasonItem(r, blocking) {
  return el("li", { class: `reason ${blocking ? "blocking" : ""}`, "data-testid": blocking ? "access-reason" : "access-note", "data-code": lower(r.code) },
    el("div", {}, code(lower(r.code)), " · rule ", code(r.rule), r.inferred ? el("span", { class: "tag", title: "rests on an [INFERENCE] rule" }, "inferred") : null),
    el("div", { class: "reason-msg" }, prose(r.message)),
    el("div", { class: "muted" }, breakable([r.tenant ? `tenant ${r.tenant}` : null, r.side ? `${lower(r.side)} side` : null, r.policy]
      .filter(Boolean).join(" · "))));
}

export function renderVerdict(target, v, onPickPath, behind = [], onPickEdge = () => {}) {
  const allowed = lower(v.decision) === "allow";
  const paths = v.paths || [];
  fillIn(target,
    el("div", { class: "verdict-head" }, badge(v.decision),
      // a denial makes no MFA claim (mfa is null): show only the route it is about
      v.mfa ? el("span", { "data-testid": "access-mfa", "data-mfa": lower(v.mfa) }, `MFA: ${lower(v.mfa)}`) : null,
      el("span", { class: "muted", "data-testid": "verdict-via", "data-via": lower(v.via) }, `via ${lower(v.via)}`),
      v.partial ? el("span", { class: "tag warn", title: "a search bound was hit: there may be more paths" }, "partial") : null),
    el("p", { class: "muted" }, `${v.principal} → ${v.resource}`),
    paths.length ? el("h3", {}, `Paths (${paths.length})`) : null,
    paths.length ? el("ol", { class: "paths" }, paths.map((p, i) => el("li", {
      class: "path", "data-testid": "access-path", "data-hops": String(p.hops.length), tabindex: "0",
      "aria-label": `Path ${i + 1}, ${p.hops.length} hops; focus to emphasise it on the graph`,
      onmouseenter: () => onPickPath(i), onfocus: () => onPickPath(i), onmouseleave: () => onPickPath(null), onblur: () => onPickPath(null),
    }, el("div", { class: "path-head" }, `Path ${i + 1} · via ${lower(p.via)}`), el("ol", { class: "hops" }, p.hops.map(hopItem))))) : null,
    el("h3", {}, allowed || !(v.reasons || []).length ? "Notes" : "Blocking gates"),
    (v.reasons || []).length
      ? el("ul", { class: "plain reasons", "data-testid": allowed ? "access-notes" : "access-reasons" }, v.reasons.map((r) => reasonItem(r, !allowed)))
      : el("p", { class: "muted" }, "No reasons given."),
    behind.length ? el("h3", {}, `Trust between the tenants (${behind.length})`) : null,
    behind.length ? el("ul", { class: "plain edges", "data-testid": "access-trust" }, behind.map((e) => edgeLine(e, onPickEdge))) : null,
  );
}

/** A merged tenant pair: its edges by kind, each opening its own panel; expand draws them. */
export function renderPair(target, { pair, edges, expanded }, onPickEdge, onToggle) {
  const [a, b] = pair.split("|");
  fillIn(target,
    el("h2", { "data-testid": "details-title" }, `${a} ↔ ${b}`),
    el("p", {}, `${edges.length} trust edge${edges.length === 1 ? "" : "s"} between these tenants.`),
    el("button", { type: "button", "data-testid": "pair-toggle", onclick: onToggle },
      expanded ? "Merge into one edge" : "Draw each edge"),
    el("ul", { class: "plain", "data-testid": "pair-edges" }, edges.map((e) => el("li", {},
      el("button", { type: "button", class: "linklike", onclick: () => onPickEdge(e) },
        swatch(e.kind),
        `${e.source} → ${e.target}: ${(TRUST_KINDS[e.kind] || { label: e.kind }).label} (${e.rule})`)))),
  );
}

export function renderError(target, message) {
  fillIn(target, el("p", { class: "error", role: "alert", "data-testid": "error" }, message));
}
