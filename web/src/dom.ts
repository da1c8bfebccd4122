// A few lines instead of a framework: build elements with attributes, listeners and
// children, and swap a region's content. Keeps the bundle small and the pages plain.
type Child = Node | string | number | false | null | undefined | Child[];
type Attrs = Record<string, string | number | boolean | undefined | ((e: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, '').toLowerCase(), v as EventListener);
    else if (v === true) el.setAttribute(k, '');
    // Through the CSSOM: the node's CSP (style-src 'self') refuses style attributes in markup.
    else if (k === 'style') el.style.cssText = String(v);
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Replaces everything in `el` with `children`. */
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** A labelled message block: role=status for news, role=alert for errors. */
export function notice(kind: 'empty' | 'error' | 'info', text: string, ...more: Child[]): HTMLElement {
  return h('div', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, h('p', {}, text), ...more);
}

/** Base units (18 decimals) as tokens, trimmed: "1.5", "0.000001" (the CLI's formatting, shared). */
export { formatTokens as tokens } from '../../src/format/tokens.ts';

export function short(hex: string, keep = 6): string {
  return hex.length > 2 * keep + 3 ? `${hex.slice(0, keep + 2)}…${hex.slice(-keep)}` : hex;
}

export function time(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}
