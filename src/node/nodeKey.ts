// The node's Ed25519 identity: generated on first start, kept in the data directory
// with mode 0600, and used to sign checkpoints and the node's own actions. The key
// never leaves this module except as its public verifier key.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatVerifierKey, signNote } from '../nodeLedger/note.ts';
import { formatCheckpoint } from '../nodeLedger/checkpoint.ts';
import { nodeSigningBytes, type ActionMessage } from '../protocol/entry.ts';

export const STATE_EXTENSION = 'tributary-state';

export class NodeKey {
  readonly verifierKey: string;
  readonly publicKey: KeyObject;

  private constructor(
    readonly name: string,
    private readonly privateKey: KeyObject,
  ) {
    this.publicKey = createPublicKeyFrom(privateKey);
    this.verifierKey = formatVerifierKey(name, this.publicKey);
  }

  /** Loads `node.key` from the data directory, creating it on first start. */
  static loadOrCreate(dataDir: string, name?: (pub: KeyObject) => string): NodeKey {
    const path = join(dataDir, 'node.key');
    if (!existsSync(path)) {
      const { privateKey } = generateKeyPairSync('ed25519');
      const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
      writeFileSync(path, pem, { mode: 0o600, flag: 'wx' });
    }
    chmodSync(path, 0o600);
    const priv = createPrivateKey(readFileSync(path, 'utf8'));
    const pub = createPublicKeyFrom(priv);
    return new NodeKey(name ? name(pub) : defaultOrigin(pub), priv);
  }

  /** The signed C2SP checkpoint for this tree, with the state root as an extension line. */
  signCheckpoint(size: number, root: Buffer, stateRoot: Buffer): string {
    const text = formatCheckpoint({
      origin: this.name,
      size,
      rootHash: root,
      extensions: [`${STATE_EXTENSION} ${stateRoot.toString('base64')}`],
    });
    return signNote(text, this.name, this.privateKey);
  }

  /** Signs one of the node's own actions (base64 Ed25519). */
  signAction(chainId: number, action: ActionMessage): string {
    return sign(null, nodeSigningBytes(chainId, action), this.privateKey).toString('base64');
  }
}

function createPublicKeyFrom(priv: KeyObject): KeyObject {
  return createPublicKey(priv);
}

/** A stable origin from the key itself, so two nodes never share a log name by accident. */
function defaultOrigin(pub: KeyObject): string {
  const raw = pub.export({ format: 'der', type: 'spki' }).subarray(-32);
  return `tributary.local/${raw.toString('hex').slice(0, 16)}`;
}
