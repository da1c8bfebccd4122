// Log entries as the browser shows them: decoded from their exact leaf bytes (base64 of
// RFC 8785 JSON), with the leaf hash recomputed here, and drawn as one table shared by the
// recent entries and the search results. Only reads and draws; it never signs or submits.
import { h, short, time } from '../dom.ts';
import type { LogEntries, LogEntry } from '../../../src/wire/log.ts';

/** An entry as GET /v1/log/entries lists it, or as GET /v1/log/entries/:index answers it (with its leaf hash). */
export type RawEntry = LogEntries['entries'][number] & Partial<Pick<LogEntry, 'leafHash'>>;

export interface DecodedEntry {
  index: number;
  leafHash: string;
  /** Milliseconds, the node's clock when it sequenced the entry. */
  time: number;
  type: string;
  /** The account that signed it, or undefined for the node's own actions. */
  signer?: string;
  action: Record<string, unknown>;
}

function base64Bytes(b64: string): Uint8Array<ArrayBuffer> {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** RFC 9162 leaf hash, SHA-256(0x00 ‖ entry bytes), as lowercase hex. */
async function leafHashOf(bytes: Uint8Array): Promise<string> {
  const buf = new Uint8Array(bytes.length + 1);
  buf.set(bytes, 1);
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
  return Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function decodeEntry(raw: RawEntry): Promise<DecodedEntry> {
  const bytes = base64Bytes(raw.data);
  const json = JSON.parse(new TextDecoder().decode(bytes)) as {
    time: number;
    action: { type: string } & Record<string, unknown>;
    auth: { scheme: string; signer?: string };
  };
  return {
    index: raw.index,
    leafHash: raw.leafHash ?? (await leafHashOf(bytes)),
    time: json.time,
    type: json.action.type,
    signer: json.auth.scheme === 'eip712' ? json.auth.signer : undefined,
    action: json.action,
  };
}

const HIDDEN = new Set(['type', 'nonce', 'expiry', 'schema', 'config', 'description']);

/** The fields a person scans for (datanet, contribution, amount, …), hex shortened. */
function details(action: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(action)) {
    if (HIDDEN.has(k) || v === '' || v === null || typeof v === 'object') continue;
    const s = String(v);
    parts.push(`${k} ${/^0x[0-9a-f]{40,}$/i.test(s) ? short(s) : s.length > 40 ? s.slice(0, 39) + '…' : s}`);
    if (parts.length === 4) break;
  }
  return parts.join(', ');
}

/** A table of entries; `mark` highlights an account wherever it appears as the signer. */
export function entryTable(caption: string, entries: DecodedEntry[], mark?: string): HTMLTableElement {
  return h(
    'table',
    { class: 'entries' },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'num' }, 'Index'), h('th', { scope: 'col' }, 'Time (UTC)'), h('th', { scope: 'col' }, 'Action'), h('th', { scope: 'col' }, 'Signed by'), h('th', { scope: 'col' }, 'Details'), h('th', { scope: 'col' }, 'Leaf hash'))),
    h(
      'tbody',
      {},
      entries.map((e) =>
        h(
          'tr',
          {},
          h('td', { class: 'num' }, h('a', { href: `#/receipts?index=${e.index}`, 'aria-label': `Receipt for entry ${e.index}` }, String(e.index))),
          h('td', {}, time(e.time / 1000)),
          h('td', {}, e.type),
          h('td', {}, e.signer ? h('code', { title: e.signer, class: mark && e.signer === mark ? 'me' : undefined }, short(e.signer)) : h('span', { class: 'muted' }, 'the node')),
          h('td', {}, details(e.action)),
          h('td', {}, h('code', { title: e.leafHash }, short(e.leafHash, 8))),
        ),
      ),
    ),
  );
}
