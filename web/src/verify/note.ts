// C2SP signed notes (c2sp.org/signed-note) checked in the browser with WebCrypto's
// Ed25519: the same bytes and rules as src/ledger/note.ts, which the node signs with, but
// without node:crypto. It must never report a signature as good that WebCrypto did not
// verify over the exact note text, nor attribute a signature line to a key whose name or
// key id differ.
import { fromBase64, sha256, toHex, utf8 } from './bytes.ts';

const ED25519 = 0x01;

/** A verifier key `<name>+<key id>+base64(0x01 ‖ key)`, parsed and its key id recomputed. */
export interface VerifierKey {
  text: string;
  name: string;
  /** 8 hex digits: the first 4 bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ key). */
  keyId: string;
  publicKey: Uint8Array<ArrayBuffer>;
}

export class NoteCheckError extends Error {
  override readonly name = 'NoteCheckError';
}

export async function keyIdOf(name: string, publicKey: Uint8Array): Promise<string> {
  return toHex((await sha256(utf8(name), new Uint8Array([0x0a, ED25519]), publicKey)).subarray(0, 4));
}

const validName = (name: string) => name !== '' && !/[\s\u0085+]/u.test(name) && !/[\u0000-\u001f]/.test(name);

export async function parseVerifierKey(text: string): Promise<VerifierKey> {
  const first = text.indexOf('+');
  // The base64 key data may itself hold '+', so only the first two separate fields.
  const second = first < 0 ? -1 : text.indexOf('+', first + 1);
  if (second < 0) throw new NoteCheckError('the verifier key is not of the form <name>+<key id>+<key data>');
  const name = text.slice(0, first);
  const id = text.slice(first + 1, second);
  if (!validName(name)) throw new NoteCheckError(`the verifier key name ${JSON.stringify(name)} is invalid`);
  if (!/^[0-9a-f]{8}$/.test(id)) throw new NoteCheckError(`the verifier key id ${JSON.stringify(id)} is not 8 lowercase hex digits`);
  const data = fromBase64(text.slice(second + 1));
  if (data === undefined) throw new NoteCheckError('the verifier key data is not standard padded base64');
  if (data[0] !== ED25519) throw new NoteCheckError(`the verifier key has signature type 0x${(data[0] ?? 0).toString(16).padStart(2, '0')}; only Ed25519 (0x01) is supported`);
  const publicKey = data.slice(1);
  if (publicKey.length !== 32) throw new NoteCheckError(`the Ed25519 key is ${publicKey.length} bytes, want 32`);
  const computed = await keyIdOf(name, publicKey);
  if (computed !== id) throw new NoteCheckError(`the verifier key id ${id} does not match its name and key (they give ${computed})`);
  return { text, name, keyId: id, publicKey };
}

/** A note whose signature by the key was checked: its text and the signature line used. */
export interface OpenedNote {
  text: string;
  line: string;
  signature: Uint8Array;
}

/** Checks `note`'s signature by `key` and returns the signed text. Other keys' lines are ignored. */
export async function openNote(note: string, key: VerifierKey): Promise<OpenedNote> {
  const control = note.search(/[\u0000-\u0009\u000b-\u001f]/);
  if (control >= 0) throw new NoteCheckError(`the note holds a control character at offset ${control}`);
  // The text ends at the last blank line: it may hold blank lines of its own.
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new NoteCheckError('the note has no blank line before its signatures');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block === '' || !block.endsWith('\n')) throw new NoteCheckError('the note has no signature lines ending with a newline');
  const others: string[] = [];
  for (const [i, line] of block.slice(0, -1).split('\n').entries()) {
    const where = `signature line ${i + 1}`;
    const m = /^— (\S+) (\S+)$/u.exec(line);
    if (!m) throw new NoteCheckError(`${where} is not "— <key name> <base64 signature>"`);
    const blob = fromBase64(m[2] as string);
    if (blob === undefined) throw new NoteCheckError(`${where}: the signature is not standard padded base64`);
    if (blob.length < 5) throw new NoteCheckError(`${where}: the signature is ${blob.length} bytes, too short`);
    const label = `${m[1]}+${toHex(blob.subarray(0, 4))}`;
    if (label !== `${key.name}+${key.keyId}`) {
      others.push(label);
      continue;
    }
    const signature = blob.slice(4);
    if (!(await ed25519Verify(key.publicKey, signature, utf8(text)))) {
      throw new NoteCheckError(`the signature by ${label} does not verify over the note's text: the text or the signature was changed`);
    }
    return { text, line, signature };
  }
  throw new NoteCheckError(`the note has no signature by ${key.name}+${key.keyId} (signed by ${others.join(', ') || 'nobody'})`);
}

async function ed25519Verify(publicKey: Uint8Array<ArrayBuffer>, signature: Uint8Array<ArrayBuffer>, message: Uint8Array<ArrayBuffer>): Promise<boolean> {
  // The type is inferred: Node's own type check of these files has no DOM CryptoKey.
  let key: Awaited<ReturnType<typeof crypto.subtle.importKey>>;
  try {
    key = await crypto.subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
  } catch (e) {
    if ((e as Error).name === 'NotSupportedError')
      throw new NoteCheckError("this browser's WebCrypto has no Ed25519 (it needs Chrome 137, Firefox 129 or Safari 17); check the receipt with `tributary receipt verify` instead");
    throw new NoteCheckError(`the node's public key is not an Ed25519 key: ${(e as Error).message}`);
  }
  return crypto.subtle.verify({ name: 'Ed25519' }, key, signature, message);
}
