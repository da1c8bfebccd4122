// What the Playground sends and receives: the `attribution` object of a served call (its
// shape is src/wire/openai.ts) and the API key this browser keeps for an account.
// The key is made at random here and only its SHA-256 is signed into the log
// (CreateApiKey), exactly as `tributary keys create` does; it never leaves the browser
// except as the Authorization header of a call.
import { bytesToHex } from 'viem';
import { act, sha256Hex } from '../signer.ts';

export type { AttributedSpan, Attribution, SplitLine, Usage } from '../../../src/wire/openai.ts';

const storageKey = (account: string) => `tributary.apiKey.${account.toLowerCase()}`;

/** This browser's API key for `account`, made (and its hash signed into the log) on first use. */
export async function ensureApiKey(account: string): Promise<string> {
  const kept = localStorage.getItem(storageKey(account));
  if (kept && /^trib_[0-9a-f]{48}$/.test(kept)) return kept;
  const key = `trib_${bytesToHex(crypto.getRandomValues(new Uint8Array(24))).slice(2)}`;
  const keyHash = await sha256Hex(new TextEncoder().encode(key));
  await act({ type: 'CreateApiKey', keyHash, label: 'playground (browser)' });
  localStorage.setItem(storageKey(account), key);
  return key;
}

/** Drops the kept key (the node refused it), so that the next call makes a new one. */
export function forgetApiKey(account: string): void {
  localStorage.removeItem(storageKey(account));
}
