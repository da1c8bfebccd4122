// The Log page: the latest signed checkpoint, the most recent entries (paged back to
// entry 0), and a search by index, leaf hash or account. Every entry links to its receipt.
// It only reads: nothing here signs or writes.
import { api, ApiError } from '../api.ts';
import { h, notice, replace } from '../dom.ts';
import type { Page } from '../router.ts';
import { decodeEntry, entryTable, type RawEntry } from './logEntries.ts';
import './log.css';

const PAGE = 25;

interface Checkpoint {
  origin: string;
  size: number;
  root: string;
  stateRoot?: string;
  signers: string[];
}

function b64hex(b64: string): string {
  return Array.from(atob(b64), (c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('');
}

/** The C2SP checkpoint's lines: origin, size, root, extension lines; then the signatures. */
function parseCheckpoint(note: string): Checkpoint {
  const [body, sigs = ''] = note.split('\n\n');
  const [origin, size, root, ...ext] = body.split('\n');
  const state = ext.find((l) => l.startsWith('tributary-state '));
  return {
    origin,
    size: Number(size),
    root: b64hex(root),
    stateRoot: state && b64hex(state.slice('tributary-state '.length)),
    signers: sigs.split('\n').filter((l) => l.startsWith('— ')).map((l) => l.slice(2).split(' ')[0]),
  };
}

function checkpointSection(note: string, key: string): HTMLElement {
  const cp = parseCheckpoint(note);
  return h(
    'section',
    { 'aria-labelledby': 'cp-h' },
    h('h2', { id: 'cp-h' }, 'Latest signed checkpoint'),
    h('p', {}, 'The node signs one after every batch it commits. It fixes the tree size and the Merkle root over every entry below it, and the state root after the last one.'),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'origin'),
      h('dd', {}, h('code', {}, cp.origin)),
      h('dt', {}, 'tree size'),
      h('dd', {}, `${cp.size} entries (indexes 0 to ${cp.size - 1})`),
      h('dt', {}, 'root hash'),
      h('dd', {}, h('code', {}, cp.root)),
      cp.stateRoot && [h('dt', {}, 'state root'), h('dd', {}, h('code', {}, cp.stateRoot))],
      h('dt', {}, 'signed by'),
      h('dd', {}, cp.signers.join(', ') || 'no signature line'),
      h('dt', {}, 'verifier key'),
      h('dd', {}, h('code', {}, key.trim())),
    ),
    h('details', {}, h('summary', {}, 'The signed note, as served'), h('pre', { class: 'note' }, note)),
  );
}

async function decodeAll(raw: RawEntry[]) {
  return Promise.all(raw.map(decodeEntry));
}

/** Recent entries, newest first, with buttons to page back and forth. */
function recentSection(size: number): HTMLElement {
  const region = h('div', { 'aria-live': 'polite' });
  const section = h('section', { 'aria-labelledby': 'recent-h' }, h('h2', { id: 'recent-h' }, 'Recent entries'), region);
  const show = async (top: number) => {
    const from = Math.max(0, top - PAGE);
    try {
      const { entries } = await api.entries(from, top - from);
      const decoded = (await decodeAll(entries)).reverse();
      const newer = h('button', { type: 'button', disabled: top >= size, onclick: () => void show(Math.min(size, top + PAGE)) }, 'Newer entries');
      const older = h('button', { type: 'button', disabled: from === 0, onclick: () => void show(from) }, 'Older entries');
      replace(region, entryTable(`Entries ${from} to ${top - 1} of ${size}, newest first`, decoded), h('div', { class: 'pager' }, newer, older));
    } catch (e) {
      replace(region, notice('error', `The entries could not be read: ${(e as Error).message}`, 'Reload the page to try again.'));
    }
  };
  if (size === 0) replace(region, notice('empty', 'The log is empty.'));
  else void show(size);
  return section;
}

type Query = { kind: 'index'; index: number } | { kind: 'hash'; hex: string } | { kind: 'account'; address: string };

function classify(q: string): Query | undefined {
  const s = q.trim();
  if (/^\d+$/.test(s)) return { kind: 'index', index: Number(s) };
  if (/^(0x)?[0-9a-f]{64}$/i.test(s)) return { kind: 'hash', hex: s.replace(/^0x/i, '').toLowerCase() };
  if (/^0x[0-9a-f]{40}$/i.test(s)) return { kind: 'account', address: s.toLowerCase() };
  return undefined;
}

/** Entries mentioning `needle`, a window at a time, with a button to read further back. */
async function showMentions(region: HTMLElement, needle: string, what: string, before?: number, shown: HTMLElement[] = []): Promise<void> {
  const r = await api.searchLog(needle, before);
  const decoded = await decodeAll(r.matches);
  const parts = [...shown];
  const range = `entries ${r.scanned.from} to ${r.scanned.before - 1}`;
  if (decoded.length) parts.push(entryTable(`${decoded.length} ${decoded.length === 1 ? 'entry' : 'entries'} mentioning ${what}, in ${range}`, decoded, needle));
  else parts.push(notice('empty', `No entry in ${range} mentions ${what}.`));
  const more =
    r.next === null
      ? h('p', { class: 'muted' }, 'Searched back to entry 0.')
      : h('button', { type: 'button', onclick: () => void showMentions(region, needle, what, r.next!, parts) }, `Search older entries (below ${r.next})`);
  replace(region, parts, more);
}

async function runSearch(region: HTMLElement, q: string): Promise<void> {
  const query = classify(q);
  if (!query) {
    replace(region, notice('error', `“${q}” is not something the log can be searched by.`, h('p', {}, 'Type an entry index (a number such as 12), a leaf hash (64 hex digits) or an account address (0x and 40 hex digits).')));
    return;
  }
  replace(region, notice('info', 'Searching…'));
  try {
    if (query.kind === 'index') {
      const e = await api.entry(query.index);
      replace(region, entryTable(`Entry ${query.index}`, [await decodeEntry(e)]));
    } else if (query.kind === 'account') {
      await showMentions(region, query.address, `account ${query.address}`);
    } else {
      try {
        const { index } = await api.leaf(query.hex);
        const e = await api.entry(index);
        replace(region, entryTable(`The entry with leaf hash ${query.hex}`, [await decodeEntry(e)]));
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 404)) throw e;
        // Not a leaf hash: it may be a content, adapter or key hash that entries carry.
        await showMentions(region, `0x${query.hex}`, `hash 0x${query.hex} (no entry has it as its leaf hash)`);
      }
    }
  } catch (e) {
    const hint = e instanceof ApiError && e.field === 'index' ? 'Entry indexes start at 0 and stay below the tree size shown above.' : 'Check the value, or reload the page if the node was restarted.';
    replace(region, notice('error', `The search failed: ${(e as Error).message}`, h('p', {}, hint)));
  }
}

function searchSection(initial: string): HTMLElement {
  const input = h('input', { id: 'log-q', name: 'q', type: 'search', value: initial, autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'log-q-help', size: 70 });
  const results = h('div', { id: 'log-results', 'aria-live': 'polite' });
  const form = h(
    'form',
    {
      role: 'search',
      'aria-label': 'Search the log',
      onsubmit: (ev: Event) => {
        ev.preventDefault();
        const q = input.value.trim();
        // Keep the search in the address, so it can be shared, without re-rendering the page.
        history.replaceState(null, '', q ? `#/log?q=${encodeURIComponent(q)}` : '#/log');
        void runSearch(results, q);
      },
    },
    h('label', { for: 'log-q' }, 'Index, leaf hash or account'),
    h('div', { class: 'row' }, input, h('button', { type: 'submit' }, 'Search')),
    h('p', { id: 'log-q-help', class: 'muted' }, 'An entry index (12), a leaf hash from a receipt (64 hex digits), or an address (0x…, 40 hex digits) to list the entries it signed or is named in. Any other 0x hash, such as a content hash, finds the entries that carry it.'),
  );
  if (initial) void runSearch(results, initial);
  return h('section', { 'aria-labelledby': 'search-h' }, h('h2', { id: 'search-h' }, 'Search'), form, results);
}

export const log: Page = {
  title: 'Log',
  nav: 6,
  async render(root, params) {
    const [note, key] = await Promise.all([api.checkpoint(), api.verifierKey()]);
    const size = parseCheckpoint(note).size;
    root.append(
      h(
        'div',
        { class: 'log-page' },
        h('h1', {}, 'Transparency log'),
        h('p', {}, 'Every action on this node is an entry in an append-only Merkle tree (RFC 9162). Open an entry’s receipt to check its signature and its inclusion proof.'),
        checkpointSection(note, key),
        searchSection(params.get('q') ?? ''),
        recentSection(size),
      ),
    );
  },
};
