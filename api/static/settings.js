// Tenant settings as readable panels: cross-tenant access sections (default and partners),
// external collaboration and Teams policy, in the API's Microsoft Graph shape. `policySection`
// finds the section a trust edge's policy path names, so the edge panel shows the setting
// itself, not only its name.
import { el } from "./panels.js";

const lower = (v) => String(v ?? "").toLowerCase();
const yes = (v) => (v === null || v === undefined ? "not set (inherits)" : v ? "yes" : "no");

function words(key) {
  return key.replace(/([a-z])([A-Z])/g, "$1 $2").replace(/^./, (c) => c.toUpperCase())
    .replace("B2b", "B2B").replace("Mfa", "MFA").replace("Azure A D", "Azure AD");
}

function targets(conf) {
  const list = (conf.targets || []).map((t) => `${t.target} (${lower(t.targetType)})`).join(", ");
  return el("span", {}, el("span", { class: `access ${lower(conf.accessType)}` }, lower(conf.accessType)),
    " ", list || "no targets");
}

function isB2B(v) {
  return v && typeof v === "object" && "usersAndGroups" in v && "applications" in v;
}

/** Any settings value as DOM: B2B settings as allow/block rows, objects as nested lists. */
export function renderValue(value, unset = "not set: inherits the default") {
  if (value === null || value === undefined) return el("span", { class: "muted" }, unset);
  if (isB2B(value)) {
    return el("dl", { class: "facts" },
      el("dt", {}, "Users and groups"), el("dd", {}, targets(value.usersAndGroups)),
      el("dt", {}, "Applications"), el("dd", {}, targets(value.applications)));
  }
  if (Array.isArray(value)) return value.length ? value.map(String).join(", ") : "none";
  if (typeof value === "boolean") return yes(value);
  if (typeof value !== "object") return /^[A-Z_]+$/.test(String(value)) ? lower(value) : String(value);
  return el("dl", { class: "facts nested" }, Object.entries(value).flatMap(([k, v]) => [
    el("dt", {}, words(k)), el("dd", {}, typeof v === "boolean" ? yes(v) : renderValue(v, unset)),
  ]));
}

/**
 * The part of a tenant's settings a policy path names, e.g.
 * `crossTenantAccess.partners[fabrikam].b2bCollaborationInbound` -> {label, value, inherited}.
 * Null when the path is not a tenant setting (group members, app assignments, ...).
 */
export function policySection(tenant, path) {
  const m = /^crossTenantAccess\.(default|partners\[([^\]]+)\])(?:\.(\w+))?$/.exec(String(path || ""));
  if (!m || !tenant) return null;
  const xtap = tenant.crossTenantAccess;
  const owner = m[1] === "default" ? xtap.default
    : xtap.partners.find((p) => p.partnerTenant === m[2] || p.tenantId === m[2]);
  if (!owner) return null;
  const label = m[1] === "default" ? "default settings" : `partner settings for ${m[2]}`;
  if (!m[3]) return { label, value: owner, inherited: false };
  const own = owner[m[3]];
  if ((own === null || own === undefined) && m[1] !== "default" && m[3] in xtap.default) {
    return { label: `${label} (inherits the default)`, value: xtap.default[m[3]], inherited: true, section: m[3] };
  }
  return { label, value: own, inherited: false, section: m[3] };
}

/** The tenant's own settings: external collaboration, Teams, cross-tenant access sections. */
export function renderTenantSettings(t) {
  const partners = t.crossTenantAccess.partners.map((p) => el("details", { class: "setting" },
    el("summary", {}, `Partner ${p.partnerTenant || p.tenantId}`), renderValue(p)));
  return [
    el("h3", {}, "External collaboration"),
    renderValue(t.externalCollaboration, "not set (the cloud's default)"),
    el("h3", {}, "Teams shared channels"),
    renderValue(t.teamsPolicy),
    el("h3", {}, `Cross-tenant access (${partners.length} partner${partners.length === 1 ? "" : "s"})`),
    el("details", { class: "setting" }, el("summary", {}, t.crossTenantAccess.default.isServiceDefault ? "Default (service default)" : "Default"),
      renderValue(t.crossTenantAccess.default)),
    ...partners,
    t.crossTenantAccess.allowedCloudEndpoints.length
      ? el("p", {}, "Other clouds enabled: ", t.crossTenantAccess.allowedCloudEndpoints.join(", ")) : null,
  ];
}
