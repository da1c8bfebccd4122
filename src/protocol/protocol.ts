// The protocol: a registry of action definitions and the three things done with an
// action: its EIP-712 typed data, checking who signed it, and applying it to state.
// Pure: knows nothing of HTTP or SQL, reads time only from the entry.
import { createPublicKey, verify as edVerify } from 'node:crypto';
import { type ActionDefinition, type ApplyResult, type ProtocolParams, allFields } from './action.ts';
import { type ActionMessage, type Entry, nodeSigningBytes } from './entry.ts';
import { ActionRejected, reject } from './errors.ts';
import { typedDataHasher } from './eip712.ts';
import { recoverAddress } from './secp256k1.ts';
import type { StateChange, StateReader } from './state.ts';
import { ed25519PublicKeyFromRaw, parseVerifierKey } from '../nodeLedger/note.ts';

export const DOMAIN_NAME = 'Tributary';
export const DOMAIN_VERSION = '1';
/** An action may not be valid for longer than this after it is sequenced. */
export const MAX_ACTION_LIFETIME_S = 7 * 24 * 3600;

export interface Eip712Domain {
  name: string;
  version: string;
  chainId: number;
}

export function domainFor(chainId: number): Eip712Domain {
  return { name: DOMAIN_NAME, version: DOMAIN_VERSION, chainId };
}

export class Protocol {
  private readonly defs = new Map<string, ActionDefinition>();
  /** Per (type, chain id): the domain separator and type plan, prepared once. */
  private readonly hashers = new Map<string, (message: Readonly<Record<string, unknown>>) => Buffer>();

  constructor(definitions: ActionDefinition[]) {
    for (const d of definitions) {
      if (this.defs.has(d.type)) throw new Error(`action type ${d.type} is declared twice`);
      this.defs.set(d.type, d);
    }
  }

  definitions(): ActionDefinition[] {
    return [...this.defs.values()];
  }

  get(type: string): ActionDefinition {
    const d = this.defs.get(type);
    if (!d) throw reject.invalid('action.type', `unknown action type ${JSON.stringify(type)}; known: ${[...this.defs.keys()].join(', ')}`);
    return d;
  }

  /** The EIP-712 payload a wallet signs for this action (what `eth_signTypedData_v4` takes). */
  typedData(chainId: number, action: ActionMessage) {
    const def = this.get(action.type);
    const { type: _t, ...message } = action;
    return {
      domain: domainFor(chainId),
      types: { [def.type]: allFields(def).map((f) => ({ name: f.name, type: f.type })) },
      primaryType: def.type,
      message,
    };
  }

  private hasher(def: ActionDefinition, chainId: number) {
    const key = `${def.type}/${chainId}`;
    let h = this.hashers.get(key);
    if (!h) {
      const types = { [def.type]: allFields(def).map((f) => ({ name: f.name, type: f.type })) };
      h = typedDataHasher({ domain: domainFor(chainId), types, primaryType: def.type });
      this.hashers.set(key, h);
    }
    return h;
  }

  /** Checks the entry's signature. Returns the signer (lowercase address, or the node key). */
  authenticate(params: ProtocolParams, action: ActionMessage, auth: Entry['auth']): string {
    const def = this.get(action.type);
    if (def.signer === 'user') {
      if (auth.scheme !== 'eip712') throw reject.unauthorized('signature', `${def.type} must be EIP-712 signed by an account`);
      const digest = this.hasher(def, params.chainId)(this.typedData(params.chainId, action).message);
      let recovered: string;
      try {
        recovered = recoverAddress(digest, auth.signature);
      } catch (e) {
        throw reject.invalid('signature', (e as Error).message);
      }
      if (recovered !== auth.signer.toLowerCase())
        throw reject.unauthorized(
          'signature',
          `signature recovers to ${recovered}, not signer ${auth.signer.toLowerCase()}: signed by another key, ` +
            `or over another EIP-712 domain (want name "${DOMAIN_NAME}", version "${DOMAIN_VERSION}", chainId ${params.chainId})`,
        );
      return recovered;
    }
    if (auth.scheme !== 'ed25519') throw reject.unauthorized('signature', `${def.type} must be signed by the node key`);
    const key = nodeKeyObject(params.nodeKey);
    const ok = edVerify(null, nodeSigningBytes(params.chainId, action), key, Buffer.from(auth.signature, 'base64'));
    if (!ok) throw reject.unauthorized('signature', `${def.type} is not signed by the node key ${params.nodeKey}`);
    return params.nodeKey;
  }

  /**
   * Applies an authenticated entry: the rules every action shares (deadline, unused
   * nonce), then its own. Throws ActionRejected, having changed nothing, to refuse it.
   */
  apply(state: StateReader, params: ProtocolParams, entry: Entry, signer: string): ApplyResult {
    const def = this.get(entry.action.type);
    const action = entry.action;
    if (def.signer === 'user') {
      const expiry = action.expiry as number;
      if (expiry * 1000 <= entry.time)
        throw reject.invalid('action.expiry', `action expired at ${expiry} (unix s); it was sequenced at ${Math.floor(entry.time / 1000)}`);
      if (expiry * 1000 > entry.time + MAX_ACTION_LIFETIME_S * 1000)
        throw reject.invalid('action.expiry', `expiry ${expiry} is more than ${MAX_ACTION_LIFETIME_S} s ahead of the node's clock`);
    }
    const { type: _t, ...message } = action;
    if (def.signer === 'node') {
      // Only the sequencer itself can log a node action (the API refuses them), so a replay
      // needs no record in state; the nonce just makes each signed node action unique.
      return def.apply({ state, signer, index: entry.index, time: entry.time, params, attest: entry.attest }, message);
    }
    const nonceKey = `nonce/${signer}/${action.nonce as string}`;
    if (state.get(nonceKey) !== undefined)
      throw new ActionRejected(409, 'replayed', 'action.nonce', `nonce ${action.nonce as string} was already used by ${signer}`);
    const result = def.apply({ state, signer, index: entry.index, time: entry.time, params, attest: entry.attest }, message);
    const changes: StateChange[] = [{ key: nonceKey, value: entry.index }, ...result.changes];
    return { ...result, changes };
  }
}

const keyCache = new Map<string, ReturnType<typeof createPublicKey>>();

function nodeKeyObject(verifierKey: string) {
  let k = keyCache.get(verifierKey);
  if (!k) {
    k = ed25519PublicKeyFromRaw(parseVerifierKey(verifierKey).publicKey);
    keyCache.set(verifierKey, k);
  }
  return k;
}
