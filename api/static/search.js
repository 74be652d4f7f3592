// Search box (combobox over name, UPN, mail, appId) and the datalist suggestions of the
// principal and resource inputs. Matching runs on the server (`search`, paged), so every
// object can be found and it stays fast on worlds with a million users.
import { searchDirectory } from "./gql.js";
import { el } from "./panels.js";

function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** The header search: arrow keys move, Enter picks, Escape closes; "/" focuses it. */
export function setupSearch(input, list, onPick) {
  let hits = [];
  let more = null; // cursor of the next page of hits
  let active = -1;
  let asked = "";

  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const pick = (hit) => {
    close();
    input.value = hit.ref;
    onPick(hit);
  };
  const render = () => {
    list.replaceChildren(...hits.map((hit, i) => el("li", {
      id: `hit-${i}`, role: "option", "aria-selected": String(i === active), "data-testid": "search-hit",
      "data-ref": hit.ref, "data-kind": hit.kind, onmousedown: (evt) => { evt.preventDefault(); pick(hit); },
    }, el("span", { class: "kind" }, hit.kind), el("span", { class: "ref" }, hit.ref),
    hit.extra ? el("span", { class: "muted" }, hit.extra) : null)));
    if (more) {
      list.append(el("li", { class: "more", role: "option", "data-testid": "search-more",
        onmousedown: (evt) => { evt.preventDefault(); loadMore(); } }, "More results…"));
    }
    if (!hits.length && asked) list.replaceChildren(el("li", { class: "muted", role: "option", "aria-disabled": "true" }, "No match"));
    list.hidden = !asked;
    input.setAttribute("aria-expanded", String(!list.hidden));
    if (active >= 0) input.setAttribute("aria-activedescendant", `hit-${active}`);
    else input.removeAttribute("aria-activedescendant");
  };
  const loadMore = async () => {
    const page = await searchDirectory(asked, 20, null, more).catch(() => ({ hits: [], after: null }));
    hits = hits.concat(page.hits);
    more = page.after;
    render();
  };
  const run = debounce(async (q) => {
    try {
      const found = await searchDirectory(q, 20);
      if (input.value.trim() !== q) return; // a newer query is on its way
      hits = found.hits;
      more = found.after;
      asked = q;
      active = -1;
      render();
    } catch (err) {
      list.replaceChildren(el("li", { class: "error", role: "option", "aria-disabled": "true" }, `Search failed: ${err.message}`));
      list.hidden = false;
    }
  }, 150);

  input.addEventListener("input", () => {
    const q = input.value.trim();
    if (!q) { hits = []; asked = ""; close(); return; }
    run(q);
  });
  input.addEventListener("keydown", (evt) => {
    if (evt.key === "ArrowDown" || evt.key === "ArrowUp") {
      evt.preventDefault();
      if (!hits.length) return;
      active = (active + (evt.key === "ArrowDown" ? 1 : -1) + hits.length) % hits.length;
      render();
    } else if (evt.key === "Enter" && hits.length) {
      evt.preventDefault();
      pick(hits[Math.max(active, 0)]);
    } else if (evt.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", close);
  document.addEventListener("keydown", (evt) => {
    const typing = ["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement.tagName);
    if (evt.key === "/" && !typing) {
      evt.preventDefault();
      input.focus();
    }
  });
}

/**
 * Fill `datalist` with directory objects matching what is typed into `input`. `kinds` picks
 * principals (people: home identities; a guest object suggests its home account) or
 * resources (apps and channels).
 */
export function setupSuggestions(input, datalist, kinds) {
  const run = debounce(async (q) => {
    try {
      const { hits } = await searchDirectory(q, 12, kinds.map((k) => k.toUpperCase()));
      const seen = new Set();
      const options = [];
      for (const h of hits) {
        const value = h.home || h.ref;
        if (seen.has(value)) continue;
        seen.add(value);
        options.push(el("option", { value }, h.home ? `home of ${h.ref}` : `${h.kind}${h.extra ? ` · ${h.extra}` : ""}`));
      }
      datalist.replaceChildren(...options);
    } catch {
      datalist.replaceChildren(); // suggestions are a convenience: no list, no noise
    }
  }, 150);
  input.addEventListener("input", () => {
    const q = input.value.trim();
    if (q.length >= 1) run(q);
  });
}
