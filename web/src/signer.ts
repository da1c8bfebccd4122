// Signing actions in the browser. With an injected wallet (window.ethereum) the wallet
// signs the EIP-712 typed data (eth_signTypedData_v4); without one, a key kept in this
// browser's localStorage signs (for demo mode: it is as safe as the browser profile).
// Either way the node checks the signature exactly as it does the CLI's.
import { bytesToHex, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import type { ActionSigner, Domain, UnsignedAction } from '../../src/client/signing.ts';
import type { Receipt } from '../../src/wire/receipt.ts';
import { api } from './api.ts';

interface Eip1193 {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

export type { Domain, UnsignedAction };
type Field = { name: string; type: string };


export interface BrowserSigner {
  address: string;
  kind: 'wallet' | 'local';
  sign(domain: Domain, types: Record<string, Field[]>, action: UnsignedAction): Promise<string>;
}

const LOCAL_KEY = 'tributary.localKey';

function injected(): Eip1193 | undefined {
  return (window as unknown as { ethereum?: Eip1193 }).ethereum;
}

/** The key kept in this browser, made on first use. */
export function localAccount() {
  let key = localStorage.getItem(LOCAL_KEY) as Hex | null;
  if (!key || !/^0x[0-9a-f]{64}$/i.test(key)) {
    key = generatePrivateKey();
    localStorage.setItem(LOCAL_KEY, key);
  }
  return privateKeyToAccount(key);
}

function split(action: UnsignedAction, fields: Field[]) {
  const { type, ...message } = action;
  // viem wants integers as bigint; the node sends and takes them as decimal strings.
  const typed: Record<string, unknown> = {};
  for (const f of fields) {
    const v = message[f.name];
    typed[f.name] = /^u?int\d*$/.test(f.type) && (typeof v === 'string' || typeof v === 'number') ? BigInt(v) : v;
  }
  return { type, message, typed };
}

let cached: BrowserSigner | undefined;

/** The wallet if the page has one, else the local key. */
export async function getSigner(): Promise<BrowserSigner> {
  if (cached) return cached;
  const wallet = injected();
  if (wallet) {
    const [address] = (await wallet.request({ method: 'eth_requestAccounts' })) as string[];
    cached = {
      address: address.toLowerCase(),
      kind: 'wallet',
      async sign(domain, types, action) {
        const { type, message } = split(action, types[action.type] ?? []);
        const data = {
          domain,
          types: { EIP712Domain: [{ name: 'name', type: 'string' }, { name: 'version', type: 'string' }, { name: 'chainId', type: 'uint256' }], [type]: types[type] },
          primaryType: type,
          message,
        };
        return (await wallet.request({ method: 'eth_signTypedData_v4', params: [address, JSON.stringify(data)] })) as string;
      },
    };
  } else {
    const account = localAccount();
    cached = {
      address: account.address.toLowerCase(),
      kind: 'local',
      async sign(domain, types, action) {
        const fields = types[action.type];
        if (!fields) throw new Error(`the node declares no action type ${action.type}`);
        const { typed } = split(action, fields);
        return account.signTypedData({ domain, types: { [action.type]: fields }, primaryType: action.type, message: typed });
      },
    };
  }
  return cached;
}

/** The signer as the SDK takes it: the wallet or the local key signs, the SDK builds the body. */
export async function actionSigner(): Promise<ActionSigner> {
  const signer = await getSigner();
  return {
    address: signer.address,
    sign: async (domain, types, action) => ({ action, signer: signer.address, signature: await signer.sign(domain, types, action), domain }),
  };
}

/** Signs `action` (with a fresh nonce and a one-hour expiry) and submits it, with inline content if given. */
export async function act(action: UnsignedAction, content?: Uint8Array): Promise<Receipt> {
  return api.act(await actionSigner(), action, content);
}

/** SHA-256 of bytes as 0x hex (content hashes, API key hashes). */
export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return bytesToHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)));
}
