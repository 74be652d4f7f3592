// The object browser: a tenant's users, guests, groups, apps, channels and Conditional Access
// policies as tables, paged from the server (50 rows a page, with the total). Rows link into
// the graph (the tenant, a guest's home tenant) and into the access questions.
import { browsePage } from "./gql.js";
import { breakable } from "./ids.js";
import { el } from "./panels.js";

const lower = (v) => String(v ?? "").toLowerCase();
const code = (text) => el("code", {}, breakable(text));

/** Columns of each table: [header, cell(row, actions)]. */
function columns(actions) {
  const asPrincipal = (ref, label = "check access as") => el("button", { type: "button", class: "linklike", "data-testid": "browse-as-principal", onclick: () => actions.asPrincipal(ref) }, label);
  const resourceActions = (ref) => [
    el("button", { type: "button", class: "linklike", "data-testid": "browse-who", onclick: () => actions.who(ref) }, "who can access"),
    " · ",
    el("button", { type: "button", class: "linklike", onclick: () => actions.asResource(ref) }, "check access to"),
  ];
  const tenantLink = (ref) => el("button", { type: "button", class: "linklike", onclick: () => actions.showTenant(ref.split("/")[0]) }, ref.split("/")[0]);
  return {
    users: [["user", (r) => code(r.ref)], ["UPN", (r) => breakable(r.userPrincipalName)],
      ["state", (r) => (r.accountEnabled ? "enabled" : "disabled") + (r.syncedFrom ? ` · synced from ${r.syncedFrom}` : "")],
      ["", (r) => asPrincipal(r.syncedFrom || r.ref)]],
    guests: [["guest", (r) => code(r.ref)], ["home", (r) => (r.guestOf ? tenantLink(r.guestOf) : lower(r.identityProvider))],
      ["state", (r) => lower(r.externalUserState) || "accepted"],
      ["", (r) => (r.guestOf ? asPrincipal(r.guestOf, "check access as home identity") : "")]],
    groups: [["group", (r) => code(r.ref)], ["members", (r) => String(r.memberRefs.length)]],
    apps: [["app", (r) => code(r.ref)], ["appId", (r) => code(r.appId)],
      ["assignment", (r) => (r.appRoleAssignmentRequired ? `required · ${r.assignedRefs.length} assigned` : "not required")],
      ["", (r) => resourceActions(r.ref)]],
    channels: [["channel", (r) => code(r.ref)], ["type", (r) => lower(r.membershipType)],
      ["members", (r) => `${r.memberRefs.length}${r.sharedWithTeams.length ? ` · shared with ${r.sharedWithTeams.length} teams` : ""}`],
      ["", (r) => resourceActions(r.ref)]],
    policies: [["policy", (r) => code(r.ref)], ["name", (r) => r.name], ["state", (r) => lower(r.state)],
      ["grant", (r) => lower(r.grantOperator)]],
  };
}

/** Wire the Browse pane: `form` has the tenant input and the table picker; rows go to `target`. */
export function setupBrowser(form, target, actions) {
  const cols = columns(actions);
  let shown = { table: null, tenant: null, after: null, rows: 0 };

  async function load(table, tenant, after) {
    const page = await browsePage(table, tenant, after);
    const head = cols[table];
    let body = target.querySelector("tbody");
    if (!after) {
      body = el("tbody");
      target.replaceChildren(
        el("p", { "data-testid": "browse-total", "data-total": String(page.total) }, `${page.total} ${table} in `, code(tenant)),
        el("table", { class: "browse", "data-testid": "browse-table", "data-table": table },
          el("thead", {}, el("tr", {}, head.map(([h]) => el("th", { scope: "col" }, h)))), body),
        el("button", { type: "button", class: "linklike", "data-testid": "browse-more", hidden: true,
          onclick: () => load(shown.table, shown.tenant, shown.after) }, "Next 50"));
      shown = { table, tenant, after: null, rows: 0 };
    }
    body.append(...page.rows.map((r) => el("tr", { "data-testid": "browse-row", "data-ref": r.ref }, head.map(([, cell]) => el("td", {}, cell(r))))));
    shown.after = page.after;
    shown.rows += page.rows.length;
    target.querySelector('[data-testid="browse-more"]').hidden = !page.after;
  }

  form.addEventListener("submit", (evt) => {
    evt.preventDefault();
    const tenant = form.elements.tenant.value.trim();
    const table = form.elements.table.value;
    if (!tenant) return;
    target.replaceChildren(el("p", { class: "muted", role: "status" }, "Loading…"));
    load(table, tenant, null).catch((err) => target.replaceChildren(
      el("p", { class: "error", role: "alert", "data-testid": "error" }, `Could not list ${table}: ${err.message}`)));
  });
  return {
    open(tenant, table = "users") {
      form.elements.tenant.value = tenant;
      form.elements.table.value = table;
      form.requestSubmit();
    },
  };
}
