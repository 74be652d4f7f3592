// A virtualised list: only the rows in view (plus a margin) are in the DOM, so a list of tens
// of thousands of principals scrolls as fast as one of ten. Rows have one fixed height; the
// list asks for more (`onNearEnd`) when the reader scrolls close to the end of what is loaded.
import { el } from "./panels.js";

const MARGIN = 12; // rows drawn above and below the visible ones

export function virtualList({ rowHeight, renderRow, onNearEnd = () => {}, testid }) {
  const box = el("div", { class: "vlist", "data-testid": testid, role: "list", tabindex: "0" });
  const spacer = el("div", { class: "vlist-spacer", "aria-hidden": "true" });
  box.append(spacer);
  let items = [];
  let queued = false;

  function draw() {
    queued = false;
    const height = box.clientHeight || 420;
    const first = Math.max(0, Math.floor(box.scrollTop / rowHeight) - MARGIN);
    const last = Math.min(items.length, Math.ceil((box.scrollTop + height) / rowHeight) + MARGIN);
    spacer.style.height = `${items.length * rowHeight}px`;
    const rows = [];
    for (let i = first; i < last; i += 1) {
      const row = renderRow(items[i], i);
      row.classList.add("vlist-row");
      row.setAttribute("role", "listitem");
      row.style.top = `${i * rowHeight}px`;
      row.style.height = `${rowHeight}px`;
      rows.push(row);
    }
    box.replaceChildren(spacer, ...rows);
    box.dataset.drawn = String(rows.length);
    box.dataset.total = String(items.length);
    if (last >= items.length - MARGIN) onNearEnd();
  }

  box.addEventListener("scroll", () => {
    if (!queued) { queued = true; requestAnimationFrame(draw); }
  });
  return {
    box,
    set(list) { items = list; draw(); },
  };
}
