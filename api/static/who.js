// Who can access a resource, page by page: the first page (100 principals) is shown at once,
// the next is fetched when the reader scrolls near the end of the virtualised list, and the
// graph overlay follows what is loaded. A newer question abandons the older one's paging.
import { whoPage } from "./gql.js";
import { el } from "./panels.js";
import { virtualList } from "./virtual.js";

const lower = (v) => String(v ?? "").toLowerCase();
let generation = 0;

/**
 * Ask who can access `resource` and show the answer in `target`. `onPick(principal)` runs when
 * a row is picked; `onItems(items, first)` after each page (for the graph overlay).
 */
export async function showWho(target, resource, { onPick, onItems }) {
  const mine = ++generation;
  let items = [];
  let after = null;
  let hasNext = true;
  let loading = null;

  const count = el("p", { "data-testid": "who-count", "aria-live": "polite" });
  const list = virtualList({
    rowHeight: 32, testid: "who-list", onNearEnd: () => { more(); },
    renderRow: (it) => el("button", { type: "button", class: "who-item", "data-testid": "who-item",
      "data-principal": it.principal, onclick: () => onPick(it.principal) },
    el("span", { class: "ref" }, it.principal),
    el("span", { class: `badge small ${lower(it.decision)}` }, lower(it.decision)),
    el("span", { class: "muted" }, it.mfa ? `MFA ${lower(it.mfa)} · ${lower(it.via)}` : lower(it.via))),
  });
  const moreButton = el("button", { type: "button", class: "linklike", "data-testid": "who-more", onclick: () => more() }, "Load more");

  function update() {
    const pending = items.filter((it) => lower(it.decision) === "pending").length;
    const allowed = items.length - pending;
    count.replaceChildren(
      el("strong", {}, String(allowed)), ` principal${allowed === 1 ? "" : "s"} can access `, el("code", {}, resource),
      pending ? `; ${pending} more once an invitation is redeemed` : "",
      hasNext ? ` (first ${items.length} loaded: scroll for more)` : "");
    count.dataset.count = String(items.length);
    count.dataset.complete = String(!hasNext);
    moreButton.hidden = !hasNext;
    list.set(items);
  }

  function more() {
    if (loading || !hasNext || mine !== generation) return loading;
    loading = whoPage(resource, after).then((page) => {
      if (mine !== generation) return;
      const first = after === null;
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
