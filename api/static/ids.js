// Ids (refs like `contoso/supplier-portal`, app ids, UPNs, policy paths) wrap between their
// parts, never inside a word: a line-break opportunity (<wbr>) follows each separator, and the
// tables' cells break a word only when one part alone is wider than its column.

const SEPARATOR = /(?<=[/\-@._[\]>])/;

/** `text` as text nodes with a <wbr> after each separator, for `el(...)` children. */
export function breakable(text) {
  return String(text ?? "").split(SEPARATOR).flatMap((part, i) => (i ? [document.createElement("wbr"), part] : [part]));
}
