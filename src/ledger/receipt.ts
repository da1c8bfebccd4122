// A receipt checked step by step: the node's verifier key, the checkpoint's signature, the
// entry's leaf hash, the inclusion proof from that leaf to the signed root. The one receipt
// verifier: `tributary receipt verify` runs it (through src/node/receipt.ts, on
// node:crypto) and so does the explorer's Receipts page (on noble, in the browser), and
// each step keeps the values it compared so a page can show them. Environment-free: no
// node:*, no Buffer. It must stop at the first failure (a later step would only repeat an
// untrusted claim) and never pass a step on a value it did not recompute itself.
import { type Checkpoint, parseCheckpoint } from './checkpoint.ts';
import type { LedgerCrypto } from './crypto.ts';
import { decodeBase64Strict, equalBytes, fromHex32, toHex } from './encoding.ts';
import { NoteError, type NoteVerifier, type OpenedNote, parseVerifierKey, verifyNote } from './note.ts';
import { inclusionPath, type PathStep } from './proof.ts';

/** What a receipt must hold to be checked (docs/protocol.md#receipts); other fields are ignored. */
export interface ReceiptProof {
  index: number;
  /** SHA-256(0x00‖entry), lowercase hex. */
  leafHash: string;
  /** The exact leaf bytes, base64. */
  entry: string;
  /** A C2SP signed note whose tree includes the entry. */
  checkpoint: string;
  inclusionProof: { index: number; size: number; leafHash: string; hashes: string[] };
}

export type ReceiptStepId = 'key' | 'signature' | 'leaf' | 'proof';

export interface ReceiptValue {
  label: string;
  value: string;
  /** Shown in a monospace font: hashes, keys, signed text. */
  mono?: boolean;
}

export interface ReceiptStep {
  id: ReceiptStepId;
  ok: boolean;
  /** One sentence: what was checked, or precisely what did not hold. */
  message: string;
  values: ReceiptValue[];
  /** The proof step's walk from the leaf to the root. */
  path?: PathStep[];
}

/** The steps run, in order, up to and including the first that failed. */
export interface ReceiptCheck {
  ok: boolean;
  steps: ReceiptStep[];
  /** Set once their step passed. */
  verifier?: NoteVerifier;
  checkpoint?: Checkpoint;
  entry?: Uint8Array;
}

export const RECEIPT_STEPS: readonly ReceiptStepId[] = ['key', 'signature', 'leaf', 'proof'];

class StepFailed extends Error {
  constructor(
    message: string,
    readonly values: ReceiptValue[] = [],
    readonly path?: PathStep[],
  ) {
    super(message);
  }
}

/**
 * The field a receipt lacks or holds malformed, as `"leafHash"`, or undefined when it has the
 * shape `checkReceipt` needs. Callers word the error for their reader.
 */
export function receiptShapeProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'an object';
  const x = value as Partial<ReceiptProof>;
  if (!Number.isSafeInteger(x.index)) return '"index"';
  if (typeof x.leafHash !== 'string') return '"leafHash"';
  if (typeof x.entry !== 'string') return '"entry"';
  if (typeof x.checkpoint !== 'string') return '"checkpoint"';
  const p = x.inclusionProof;
  if (typeof p !== 'object' || p === null || !Array.isArray(p.hashes) || !Number.isSafeInteger(p.index) || !Number.isSafeInteger(p.size)) {
    return '"inclusionProof"';
  }
  return undefined;
}

/** Checks `receipt` against the verifier key `verifierKey` (`<name>+<key id>+<key data>`), step by step. */
export function checkReceipt(receipt: ReceiptProof, verifierKey: string, crypto: LedgerCrypto): ReceiptCheck {
  const check: ReceiptCheck = { ok: false, steps: [] };
  let verifier: NoteVerifier | undefined;
  let checkpoint: Checkpoint | undefined;
  let leaf: Uint8Array | undefined;

  const run = (id: ReceiptStepId, step: () => { message: string; values: ReceiptValue[]; path?: PathStep[] }): boolean => {
    try {
      check.steps.push({ id, ok: true, ...step() });
      return true;
    } catch (e) {
      const f = e instanceof StepFailed ? e : undefined;
      check.steps.push({ id, ok: false, message: (e as Error).message, values: f?.values ?? [], path: f?.path });
      return false;
    }
  };

  const passed =
    run('key', () => {
      verifier = parseVerifierKey(verifierKey.trim(), crypto.note);
      check.verifier = verifier;
      const id = hex32(verifier.keyId);
      return {
        message: `Its key id ${id} is the first 4 bytes of SHA-256(name ‖ "\\n" ‖ 0x01 ‖ key), recomputed here.`,
        values: [
          { label: 'verifier key', value: verifierKey.trim(), mono: true },
          { label: 'name', value: verifier.name, mono: true },
          { label: 'key id', value: id, mono: true },
          { label: 'Ed25519 public key', value: toHex(verifier.publicKey), mono: true },
        ],
      };
    }) &&
    run('signature', () => {
      const v = verifier!;
      const label = `${v.name}+${hex32(v.keyId)}`;
      let opened: OpenedNote;
      try {
        opened = verifyNote(receipt.checkpoint, v);
      } catch (e) {
        if (e instanceof NoteError && e.code === 'bad-signature') {
          throw new StepFailed(`The signature by ${label} does not verify over the note's text: the text or the signature was changed.`);
        }
        throw e;
      }
      checkpoint = parseCheckpoint(opened.text);
      check.checkpoint = checkpoint;
      return {
        message: `The Ed25519 signature by ${label} verifies over the checkpoint's text.`,
        values: [
          { label: 'signed text', value: opened.text, mono: true },
          ...opened.signedBy.map((s) => ({ label: 'signature line', value: s.line, mono: true })),
          { label: 'origin', value: checkpoint.origin, mono: true },
          { label: 'tree size', value: String(checkpoint.size) },
          { label: 'root hash', value: toHex(checkpoint.rootHash), mono: true },
          ...checkpoint.extensions.map((line) => ({ label: 'extension', value: line, mono: true })),
        ],
      };
    }) &&
    run('leaf', () => {
      const entry = decodeBase64Strict(receipt.entry);
      if (entry === undefined) throw new StepFailed('The entry is not standard padded base64, so its bytes cannot be the ones logged.');
      leaf = crypto.hasher.hashLeaf(entry);
      const computed = toHex(leaf);
      const values = [
        { label: 'entry bytes', value: `${entry.length} bytes` },
        { label: 'SHA-256(0x00 ‖ entry)', value: computed, mono: true },
        { label: "receipt's leaf hash", value: receipt.leafHash, mono: true },
      ];
      if (computed !== receipt.leafHash) {
        throw new StepFailed(`The entry bytes hash to ${computed}, but the receipt's leaf hash is ${receipt.leafHash}: the entry is not the one that was logged.`, values);
      }
      if (receipt.inclusionProof.leafHash !== receipt.leafHash) {
        throw new StepFailed(`The inclusion proof is for leaf ${receipt.inclusionProof.leafHash}, not this entry's ${computed}.`, values);
      }
      check.entry = entry;
      return { message: 'SHA-256 of 0x00 followed by the entry bytes, computed here, equals the leaf hash (RFC 9162 §2.1.1).', values };
    }) &&
    run('proof', () => {
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
        path = inclusionPath(crypto.hasher, receipt.index, cp.size, leaf!, hashes);
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
      if (!equalBytes(root, cp.rootHash)) {
        throw new StepFailed(
          `The proof leads from this leaf to root ${toHex(root)}, but the signed checkpoint's root is ${toHex(cp.rootHash)}: this entry is not at index ${receipt.index} of that tree.`,
          values,
          path,
        );
      }
      return { message: `Hashing the leaf with the ${hashes.length} proof hashes (RFC 9162 §2.1.3.2), here, gives the signed root.`, values, path };
    });
  check.ok = passed;
  return check;
}

function hex32(n: number): string {
  return n.toString(16).padStart(8, '0');
}
