// Search box (combobox over name, UPN, mail, appId) and the datalist suggestions of the
// principal and resource inputs. Matching runs on the server (`users(search:)`,
// `apps(search:)`), so it stays fast on worlds with a million users.
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
export function setupSearch(input, list, tenants, onPick) {
  let hits = [];
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
    if (!hits.length && asked) list.replaceChildren(el("li", { class: "muted", role: "option", "aria-disabled": "true" }, "No match"));
    list.hidden = !asked;
    input.setAttribute("aria-expanded", String(!list.hidden));
    if (active >= 0) input.setAttribute("aria-activedescendant", `hit-${active}`);
    else input.removeAttribute("aria-activedescendant");
  };
  const run = debounce(async (q) => {
    try {
      const found = await searchDirectory(q, tenants());
      if (input.value.trim() !== q) return; // a newer query is on its way
      hits = found;
      asked = q;
      active = -1;
      render();
    } catch (err) {
      console.warn("search failed:", err);
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
export function setupSuggestions(input, datalist, kinds, tenants) {
  const wanted = new Set(kinds);
  const run = debounce(async (q) => {
    try {
      const hits = (await searchDirectory(q, tenants(), 12)).filter((h) => wanted.has(h.kind));
      const seen = new Set();
      const options = [];
      for (const h of hits) {
        const value = h.home || h.ref;
        if (seen.has(value)) continue;
        seen.add(value);
        options.push(el("option", { value }, h.home ? `home of ${h.ref}` : `${h.kind}${h.extra ? ` · ${h.extra}` : ""}`));
      }
      datalist.replaceChildren(...options);
    } catch (err) {
      console.warn("suggestions failed:", err);
    }
  }, 150);
  input.addEventListener("input", () => {
    const q = input.value.trim();
    if (q.length >= 1) run(q);
  });
}
