// A receipt checked in the browser, step by step, as `tributary receipt verify` does on
// the command line: the node's key, the checkpoint's signature, the entry's leaf hash,
// the inclusion proof, then what the entry says. Each step keeps the values it compared,
// so a page can show them. It must stop at the first failure (a later step would only
// repeat an untrusted claim) and never call a receipt verified on a value it did not
// recompute here.
import { equalBytes, fromBase64, fromHex32, toBase64, toHex } from './bytes.ts';
import type { Receipt as NodeReceipt } from '../../../src/wire/receipt.ts';
import { type Checkpoint, parseCheckpoint } from './checkpoint.ts';
import { openNote, parseVerifierKey, type VerifierKey } from './note.ts';
import { hashLeaf, inclusionPath, type PathStep } from './proof.ts';

/** As the node answers and `--receipt FILE` saves it (docs/protocol.md#receipts); a saved one may lack `result`. */
export type Receipt = Omit<NodeReceipt, 'result'> & { result?: NodeReceipt['result'] };

export type StepStatus = 'passed' | 'warning' | 'failed' | 'not checked';
export type StepId = 'key' | 'signature' | 'leaf' | 'proof' | 'entry';

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

class StepFailed extends Error {
  constructor(
    message: string,
    readonly values: Step['values'] = [],
    readonly path?: PathStep[],
  ) {
    super(message);
  }
}

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
    const x = r as Partial<Receipt> | null;
    const p = typeof x === 'object' && x !== null ? x.inclusionProof : undefined;
    const missing =
      typeof x !== 'object' || x === null ? 'is not an object'
      : !Number.isSafeInteger(x.index) ? 'lacks "index"'
      : typeof x.leafHash !== 'string' ? 'lacks "leafHash"'
      : typeof x.entry !== 'string' ? 'lacks "entry"'
      : typeof x.checkpoint !== 'string' ? 'lacks "checkpoint"'
      : typeof p !== 'object' || p === null || !Array.isArray(p.hashes) || !Number.isSafeInteger(p.index) || !Number.isSafeInteger(p.size) ? 'lacks a well-formed "inclusionProof"'
      : undefined;
    if (missing) throw new Error(`${list.length > 1 ? `receipt ${i + 1}` : 'the receipt'} ${missing}`);
  });
  return list as Receipt[];
}

/** Checks `receipt` against the verifier key `keyText`, step by step. */
export async function verifyReceipt(receipt: Receipt, keyText: string, trust: KeyTrust): Promise<ReceiptReport> {
  const steps: Step[] = [];
  let key: VerifierKey | undefined;
  let checkpoint: Checkpoint | undefined;
  let entry: Uint8Array | undefined;
  let leaf: Uint8Array | undefined;
  let action = '';

  const run = async (id: StepId, check: () => Promise<{ message: string; values: Step['values']; path?: PathStep[]; status?: StepStatus }>) => {
    if (steps.some((s) => s.status === 'failed')) {
      steps.push({ id, title: TITLES[id], status: 'not checked', message: 'Not checked: an earlier step failed.', values: [] });
      return;
    }
    try {
      const r = await check();
      steps.push({ id, title: TITLES[id], status: r.status ?? 'passed', message: r.message, values: r.values, path: r.path });
    } catch (e) {
      steps.push({ id, title: TITLES[id], status: 'failed', message: (e as Error).message, values: e instanceof StepFailed ? e.values : [], path: e instanceof StepFailed ? e.path : undefined });
    }
  };

  await run('key', async () => {
    key = await parseVerifierKey(keyText.trim());
    return {
      status: trust.status,
      message: `${trust.message} Its key id ${key.keyId} is the first 4 bytes of SHA-256(name ‖ "\\n" ‖ 0x01 ‖ key), recomputed here.`,
      values: [
        { label: 'verifier key', value: key.text, mono: true },
        { label: 'name', value: key.name, mono: true },
        { label: 'key id', value: key.keyId, mono: true },
        { label: 'Ed25519 public key', value: toHex(key.publicKey), mono: true },
      ],
    };
  });

  await run('signature', async () => {
    const opened = await openNote(receipt.checkpoint, key!);
    checkpoint = parseCheckpoint(opened.text);
    return {
      message: `The Ed25519 signature by ${key!.name}+${key!.keyId} verifies over the checkpoint's text (WebCrypto).`,
      values: [
        { label: 'signed text', value: opened.text, mono: true },
        { label: 'signature line', value: opened.line, mono: true },
        { label: 'origin', value: checkpoint.origin, mono: true },
        { label: 'tree size', value: String(checkpoint.size) },
        { label: 'root hash', value: toHex(checkpoint.rootHash), mono: true },
        ...checkpoint.extensions.map((line) => ({ label: 'extension', value: line, mono: true })),
      ],
    };
  });

  await run('leaf', async () => {
    entry = fromBase64(receipt.entry);
    if (entry === undefined) throw new StepFailed('The entry is not standard padded base64, so its bytes cannot be the ones logged.');
    leaf = await hashLeaf(entry);
    const computed = toHex(leaf);
    const values = [
      { label: 'entry bytes', value: `${entry.length} bytes` },
      { label: 'SHA-256(0x00 ‖ entry)', value: computed, mono: true },
      { label: "receipt's leaf hash", value: receipt.leafHash, mono: true },
    ];
    if (computed !== receipt.leafHash)
      throw new StepFailed(`The entry bytes hash to ${computed}, but the receipt's leaf hash is ${receipt.leafHash}: the entry is not the one that was logged.`, values);
    if (receipt.inclusionProof.leafHash !== receipt.leafHash)
      throw new StepFailed(`The inclusion proof is for leaf ${receipt.inclusionProof.leafHash}, not this entry's ${computed}.`, values);
    return { message: 'SHA-256 of 0x00 followed by the entry bytes, computed here, equals the leaf hash (RFC 9162 §2.1.1).', values };
  });

  await run('proof', async () => {
    const p = receipt.inclusionProof;
    const cp = checkpoint!;
    if (p.index !== receipt.index) throw new StepFailed(`The inclusion proof is for index ${p.index}, but the receipt is for index ${receipt.index}.`);
    if (p.size !== cp.size) throw new StepFailed(`The inclusion proof is for tree size ${p.size}, but the signed checkpoint is for size ${cp.size}.`);
    const hashes = p.hashes.map((x, i) => {
      const b = fromHex32(x);
      if (b === undefined) throw new StepFailed(`Proof hash ${i + 1} is not 64 lowercase hex digits.`);
      return b;
    });
    let path: PathStep[];
    try {
      path = await inclusionPath(receipt.index, cp.size, leaf!, hashes);
    } catch (e) {
      throw new StepFailed(`The proof does not fit: ${(e as Error).message}.`);
    }
    const root = path.length > 0 ? path[path.length - 1]!.node : leaf!;
    const values = [
      { label: 'index', value: String(receipt.index) },
      { label: 'tree size', value: String(cp.size) },
      { label: 'proof hashes', value: String(hashes.length) },
      { label: 'root from the proof', value: toHex(root), mono: true },
      { label: "checkpoint's root", value: toHex(cp.rootHash), mono: true },
    ];
    if (!equalBytes(root, cp.rootHash))
      throw new StepFailed(`The proof leads from this leaf to root ${toHex(root)}, but the signed checkpoint's root is ${toHex(cp.rootHash)}: this entry is not at index ${receipt.index} of that tree.`, values, path);
    return { message: `Hashing the leaf with the ${hashes.length} proof hashes (RFC 9162 §2.1.3.2), here, gives the signed root.`, values, path };
  });

  await run('entry', async () => {
    let text: string;
    let e: { v?: unknown; index?: unknown; time?: unknown; action?: Record<string, unknown>; auth?: Record<string, unknown> };
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(entry!);
      e = JSON.parse(text) as typeof e;
    } catch {
      throw new StepFailed('The entry bytes are not UTF-8 JSON.');
    }
    if (canonicalJson(e) !== text) throw new StepFailed('The entry is not canonical JSON (RFC 8785), as every entry must be.');
    if (e.index !== receipt.index) throw new StepFailed(`The entry says it is index ${String(e.index)}, but the receipt is for index ${receipt.index}.`);
    const a = e.action ?? {};
    action = String(a.type);
    const auth = e.auth ?? {};
    const signer = auth.scheme === 'eip712' ? String(auth.signer) : auth.scheme === 'ed25519' ? "the node itself (its Ed25519 key)" : `unknown scheme ${String(auth.scheme)}`;
    const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
    return {
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
    };
  });

  const failed = steps.find((s) => s.status === 'failed');
  const warned = steps.find((s) => s.status === 'warning');
  const cp = checkpoint;
  return failed
    ? { ok: false, steps, verdict: `Not verified: step ${steps.indexOf(failed) + 1} (${failed.title}) failed. ${failed.message}` }
    : {
        ok: true,
        steps,
        verdict: `Verified: entry ${receipt.index} (${action}) is in the log ${cp!.origin} at tree size ${cp!.size}, under a checkpoint signed by ${key!.name}+${key!.keyId}.${warned ? ' But see the warning about the key.' : ''}`,
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
  return { ...receipt, entry: toBase64(new TextEncoder().encode(text)) };
}
