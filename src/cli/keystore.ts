// The local keystore: EVM accounts (name, address, private key) the CLI signs actions
// with, in one JSON file. Keys are stored UNENCRYPTED; the file is kept at mode 0600 in
// a 0700 directory and re-chmodded on every write. It must never print or log a key.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { LocalSigner } from '../client/signer.ts';
import { privateKeyToAddress, randomPrivateKey } from '../protocol/secp256k1.ts';
import { CliError, UsageError } from './errors.ts';
import { ensurePrivateDir, writeFileAtomic } from './files.ts';

export interface KeystoreAccount {
  name: string;
  /** Lowercase 0x address. */
  address: string;
  /** 0x hex of the 32-byte secp256k1 private key. */
  privateKey: string;
}

interface KeystoreFile {
  version: 1;
  warning: string;
  accounts: KeystoreAccount[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const KEY = /^0x[0-9a-f]{64}$/;

export function isAddress(text: string): boolean {
  return ADDRESS.test(text);
}

export class Keystore {
  private constructor(
    readonly path: string,
    private readonly list: KeystoreAccount[],
  ) {}

  /** Reads the keystore at `path`; a missing file is an empty keystore. */
  static load(path: string): Keystore {
    if (!existsSync(path)) return new Keystore(path, []);
    const mode = statSync(path).mode & 0o777;
    if (mode & 0o077)
      process.stderr.write(`warning: keystore ${path} is readable by others (mode ${mode.toString(8)}); it will be 0600 after the next write\n`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new CliError(`keystore ${path} is not valid JSON: ${(e as Error).message}`);
    }
    const accounts = (parsed as Partial<KeystoreFile>)?.accounts;
    if (!Array.isArray(accounts)) throw new CliError(`keystore ${path} has no "accounts" list`);
    for (const [i, a] of accounts.entries()) {
      const bad = (why: string) => new CliError(`keystore ${path}: account ${i + 1} ${why}`);
      if (typeof a?.name !== 'string' || !NAME.test(a.name)) throw bad('has no valid name');
      if (typeof a.privateKey !== 'string' || !KEY.test(a.privateKey)) throw bad('has no valid privateKey (0x + 64 lowercase hex)');
      // The address is derived, never trusted: a hand-edited file must not sign as someone else.
      const derived = privateKeyToAddress(Buffer.from(a.privateKey.slice(2), 'hex'));
      if (a.address !== derived) throw bad(`has address ${String(a.address)}, but its key belongs to ${derived}`);
    }
    return new Keystore(path, accounts as KeystoreAccount[]);
  }

  accounts(): readonly KeystoreAccount[] {
    return this.list;
  }

  /** Generates a fresh account, saves the keystore, and returns the account. */
  create(name?: string): KeystoreAccount {
    const chosen = name ?? this.freeName();
    if (!NAME.test(chosen)) throw new UsageError(`account name ${JSON.stringify(chosen)} must be 1-64 letters, digits, _ . or -, starting with a letter or digit`);
    if (isAddress(chosen)) throw new UsageError('an account name must not look like an address');
    if (this.list.some((a) => a.name === chosen)) throw new CliError(`there is already an account named ${chosen} in ${this.path}`);
    const key = randomPrivateKey();
    const account: KeystoreAccount = { name: chosen, address: privateKeyToAddress(key), privateKey: '0x' + key.toString('hex') };
    this.list.push(account);
    this.save();
    return account;
  }

  /** The account named or addressed by `ref`; the first account when `ref` is undefined. */
  resolve(ref?: string): KeystoreAccount {
    if (this.list.length === 0)
      throw new CliError(`no accounts in ${this.path}`, 1, 'create one with: tributary account new --name NAME');
    if (ref === undefined) return this.list[0];
    const lower = ref.toLowerCase();
    const found = this.list.find((a) => a.name === ref || a.address === lower);
    if (!found) throw new CliError(`no account ${ref} in ${this.path} (accounts: ${this.list.map((a) => a.name).join(', ')})`);
    return found;
  }

  signer(ref?: string): { account: KeystoreAccount; signer: LocalSigner } {
    const account = this.resolve(ref);
    return { account, signer: new LocalSigner(Buffer.from(account.privateKey.slice(2), 'hex')) };
  }

  private freeName(): string {
    for (let n = this.list.length + 1; ; n++) if (!this.list.some((a) => a.name === `account${n}`)) return `account${n}`;
  }

  private save(): void {
    ensurePrivateDir(dirname(this.path));
    const file: KeystoreFile = {
      version: 1,
      warning: 'UNENCRYPTED private keys: anyone who can read this file can sign as these accounts.',
      accounts: this.list,
    };
    writeFileAtomic(this.path, JSON.stringify(file, null, 2) + '\n', 0o600);
  }
}
