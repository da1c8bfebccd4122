// Trust on first use for the node's verifier key: the first key this browser sees for a
// node is kept in localStorage, and a later, different key is reported, never silently
// replaced. Only an explicit `pinKey` (the user choosing to trust the new key) moves it.
import type { KeyTrust } from './receiptCheck.ts';

interface Pin {
  key: string;
  since: string;
}

const storageKey = (node: string) => `tributary:verifier-key:${node}`;

function read(node: string): Pin | undefined {
  try {
    const raw = localStorage.getItem(storageKey(node));
    return raw === null ? undefined : (JSON.parse(raw) as Pin);
  } catch {
    return undefined;
  }
}

export function pinKey(node: string, key: string): void {
  try {
    localStorage.setItem(storageKey(node), JSON.stringify({ key, since: new Date().toISOString() } satisfies Pin));
  } catch {
    // Storage refused (private mode, quota): the check still runs, only nothing is remembered.
  }
}

/** Compares `key`, just fetched from `node`, with the pin, pinning it on first use. */
export function trustNodeKey(node: string, key: string): KeyTrust & { pinned?: string } {
  const pin = read(node);
  if (pin === undefined) {
    pinKey(node, key);
    return { status: 'passed', message: `Fetched from ${node}/v1/log/key and pinned in this browser now, on first use: a later change will be flagged here.` };
  }
  if (pin.key === key) return { status: 'passed', message: `Fetched from ${node}/v1/log/key; it is the key this browser pinned on ${pin.since.slice(0, 10)}.` };
  return {
    status: 'warning',
    pinned: pin.key,
    message: `The node's key changed: this browser pinned ${pin.key} on ${pin.since.slice(0, 10)}, and ${node} now serves another. A node whose data was reset gets a new key; if this one was not, someone may be answering in its place. The steps below use the key it serves now.`,
  };
}
