// Who can access a resource, page by page: the first page (100 principals) is shown at once,
// the next is fetched when the reader scrolls near the end of the virtualised list, and the
// graph overlay follows what is loaded. A newer question abandons the older one's paging.
// With `outsiders` (the default of the panel) only principals from outside the resource's
// tenant are asked for; the engine filters before paging, so the count is the filtered total.
import { whoPage } from "./gql.js";
import { el } from "./panels.js";
import { virtualList } from "./virtual.js";

const lower = (v) => String(v ?? "").toLowerCase();
const words = (v) => lower(v).replaceAll("_", " ");
const redacted = (ref) => ref.endsWith(">");
let generation = 0;

/** The row's label: a scoped token's own guest object when the home identity is redacted. */
function label(it) {
  return redacted(it.principal) && it.object ? it.object : it.principal;
}

/**
 * Ask who can access `resource` and show the answer in `target`. `onPick(principal)` runs when
 * a row is picked (with the ref to ask `access` about); `onItems(items, first)` after each page
 * (for the graph overlay). `outsiders`: only principals from outside the resource's tenant.
 */
export async function showWho(target, resource, { onPick, onItems, outsiders = true }) {
  const mine = ++generation;
  let items = [];
  let total = null;
  let after = null;
  let hasNext = true;
  let loading = null;

  const count = el("p", { "data-testid": "who-count", "aria-live": "polite" });
  const list = virtualList({
    rowHeight: 32, testid: "who-list", onNearEnd: () => { more(); },
    renderRow: (it) => el("button", { type: "button", class: "who-item", "data-testid": "who-item",
      "data-principal": it.principal, "data-object": it.object ?? "", "data-outsider": String(it.outsider),
      onclick: () => onPick(label(it)) },
    el("span", { class: "ref", title: redacted(it.principal) ? `home identity ${it.principal}` : "" }, label(it)),
    el("span", { class: `badge small ${lower(it.decision)}` }, lower(it.decision)),
    el("span", { class: "muted" }, [words(it.kind) === words(it.via) ? "" : words(it.kind),
      it.mfa ? `MFA ${lower(it.mfa)}` : "", words(it.via)].filter(Boolean).join(" · "))),
  });
  const moreButton = el("button", { type: "button", class: "linklike", "data-testid": "who-more", onclick: () => more() }, "Load more");

  function update() {
    const who = outsiders ? "outsider" : "principal";
    const pending = items.filter((it) => lower(it.decision) === "pending").length;
    count.replaceChildren(
      el("strong", {}, String(total)), ` ${who}${total === 1 ? "" : "s"} can access `, el("code", {}, resource),
      outsiders ? " (from outside its tenant)" : "",
      pending ? `; ${pending} of those loaded once an invitation is redeemed` : "",
      hasNext ? ` — ${items.length} loaded: scroll for more` : "");
    count.dataset.total = String(total);
    count.dataset.count = String(items.length);
    count.dataset.complete = String(!hasNext);
    count.dataset.outsiders = String(outsiders);
    moreButton.hidden = !hasNext;
    list.set(items);
  }

  function more() {
    if (loading || !hasNext || mine !== generation) return loading;
    loading = whoPage(resource, { after, outsiders }).then((page) => {
      if (mine !== generation) return;
      const first = after === null;
      if (first) total = page.total;
      items = items.concat(page.items);
      after = page.after;
      hasNext = page.hasNext;
      loading = null;
      if (first) target.replaceChildren(count, items.length ? list.box : el("p", { class: "muted" }, "Nobody."), moreButton);
      update();
      onItems(items, first);
    }).finally(() => { loading = null; });
    return loading;
  }

  await more();
}
