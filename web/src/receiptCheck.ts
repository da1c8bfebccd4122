// The Receipts page's check of a receipt: src/ledger/receipt.ts, the same step-by-step
// verifier `tributary receipt verify` runs, here on noble's SHA-256 and Ed25519 (so any
// browser can check, with or without WebCrypto's Ed25519), plus what only a page shows: how
// the key came to be trusted, and what the entry says. It must never call a receipt
// verified that the shared verifier did not pass, nor add a check of its own to the proof.
import { nobleCrypto } from '../../src/ledger/noble.ts';
import { checkReceipt, RECEIPT_STEPS, receiptShapeProblem, type ReceiptStep, type ReceiptStepId } from '../../src/ledger/receipt.ts';
import { toBase64, utf8 } from '../../src/ledger/encoding.ts';
import type { PathStep } from '../../src/ledger/proof.ts';
import type { Receipt as NodeReceipt } from '../../src/wire/receipt.ts';

/** As the node answers and `--receipt FILE` saves it (docs/protocol.md#receipts); a saved one may lack `result`. */
export type Receipt = Omit<NodeReceipt, 'result'> & { result?: NodeReceipt['result'] };

export type StepStatus = 'passed' | 'warning' | 'failed' | 'not checked';
export type StepId = ReceiptStepId | 'entry';

export interface Step {
  id: StepId;
  title: string;
  status: StepStatus;
  /** One sentence: what was checked, or precisely what did not hold. */
  message: string;
  values: { label: string; value: string; mono?: boolean }[];
  /** The proof step's walk from the leaf to the root. */
  path?: PathStep[];
}

export interface ReceiptReport {
  ok: boolean;
  verdict: string;
  steps: Step[];
}

/** How the caller came by the key: pinned on first use, matching the pin, changed, or typed in. */
export interface KeyTrust {
  status: 'passed' | 'warning';
  message: string;
}

const TITLES: Record<StepId, string> = {
  key: "The node's public key",
  signature: "The checkpoint's signature",
  leaf: 'The entry hashes to the leaf',
  proof: "The inclusion proof leads to the checkpoint's root",
  entry: 'What the entry says',
};

/** Reads receipt JSON: one receipt or an array of them. Throws naming the first thing missing. */
export function parseReceipts(text: string): Receipt[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`this is not JSON: ${(e as Error).message}`);
  }
  const list: unknown[] = Array.isArray(parsed) ? parsed : [parsed];
  if (list.length === 0) throw new Error('the JSON holds an empty list, not a receipt');
  list.forEach((r, i) => {
    const missing = receiptShapeProblem(r);
    if (missing === undefined) return;
    const what = missing === 'an object' ? 'is not an object' : missing === '"inclusionProof"' ? 'lacks a well-formed "inclusionProof"' : `lacks ${missing}`;
    throw new Error(`${list.length > 1 ? `receipt ${i + 1}` : 'the receipt'} ${what}`);
  });
  return list as Receipt[];
}

/** Checks `receipt` against the verifier key `keyText`, step by step. */
export function verifyReceipt(receipt: Receipt, keyText: string, trust: KeyTrust): ReceiptReport {
  const check = checkReceipt(receipt, keyText, nobleCrypto);
  const steps: Step[] = check.steps.map((s: ReceiptStep) => ({
    id: s.id,
    title: TITLES[s.id],
    status: !s.ok ? 'failed' : s.id === 'key' ? trust.status : 'passed',
    message: s.ok && s.id === 'key' ? `${trust.message} ${s.message}` : s.message,
    values: s.values,
    path: s.path,
  }));
  let action = '';
  if (check.ok) {
    const entry = entryStep(receipt, check.entry!);
    action = entry.action;
    steps.push(entry.step);
  }
  for (const id of [...RECEIPT_STEPS, 'entry' as const].slice(steps.length)) {
    steps.push({ id, title: TITLES[id], status: 'not checked', message: 'Not checked: an earlier step failed.', values: [] });
  }

  const failed = steps.find((s) => s.status === 'failed');
  const warned = steps.find((s) => s.status === 'warning');
  const cp = check.checkpoint;
  const key = check.verifier;
  return failed
    ? { ok: false, steps, verdict: `Not verified: step ${steps.indexOf(failed) + 1} (${failed.title}) failed. ${failed.message}` }
    : {
        ok: true,
        steps,
        verdict: `Verified: entry ${receipt.index} (${action}) is in the log ${cp!.origin} at tree size ${cp!.size}, under a checkpoint signed by ${key!.name}+${key!.keyId.toString(16).padStart(8, '0')}.${warned ? ' But see the warning about the key.' : ''}`,
      };
}

/** What the entry says, read after the proof passed: its action, signer and time, for the reader. */
function entryStep(receipt: Receipt, bytes: Uint8Array): { step: Step; action: string } {
  const failed = (message: string) => ({ step: { id: 'entry' as const, title: TITLES.entry, status: 'failed' as const, message, values: [] }, action: '' });
  let text: string;
  let e: { v?: unknown; index?: unknown; time?: unknown; action?: Record<string, unknown>; auth?: Record<string, unknown> };
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    e = JSON.parse(text) as typeof e;
  } catch {
    return failed('The entry bytes are not UTF-8 JSON.');
  }
  if (canonicalJson(e) !== text) return failed('The entry is not canonical JSON (RFC 8785), as every entry must be.');
  if (e.index !== receipt.index) return failed(`The entry says it is index ${String(e.index)}, but the receipt is for index ${receipt.index}.`);
  const a = e.action ?? {};
  const action = String(a.type);
  const auth = e.auth ?? {};
  const signer = auth.scheme === 'eip712' ? String(auth.signer) : auth.scheme === 'ed25519' ? 'the node itself (its Ed25519 key)' : `unknown scheme ${String(auth.scheme)}`;
  const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  return {
    action,
    step: {
      id: 'entry',
      title: TITLES.entry,
      status: 'passed',
      message: `Entry ${receipt.index} records ${/^[AEIOU]/.test(action) ? 'an' : 'a'} ${action} action. The node checked its signer's signature before logging it; tributary verify checks it again when it replays the log.`,
      values: [
        { label: 'action', value: action },
        { label: 'signer', value: signer, mono: auth.scheme === 'eip712' },
        { label: 'time', value: typeof e.time === 'number' ? new Date(e.time).toISOString() : 'missing' },
        ...Object.entries(a)
          .filter(([k]) => k !== 'type')
          .map(([k, v]) => ({ label: k, value: show(v), mono: typeof v !== 'number' })),
        ...Object.entries(receipt.result ?? {}).map(([k, v]) => ({ label: `result: ${k} (the node's answer, not signed)`, value: show(v) })),
      ],
    },
  };
}

/** RFC 8785 for what JSON.parse returns: keys sorted by UTF-16 code units, no whitespace. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/** A receipt with its entry's text replaced: what the tests and the page's "try tampering" use. */
export function withEntryText(receipt: Receipt, text: string): Receipt {
  return { ...receipt, entry: toBase64(utf8(text)) };
}
