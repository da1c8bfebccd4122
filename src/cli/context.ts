// Resolves the global options (flag over environment over default) into what a command
// needs: a client whose node key has been checked against its pin, the signing account
// from the keystore, receipts checked and saved, and one way to print a result as prose
// or as JSON. Commands never read process.env or the global flags themselves.
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { Receipt } from '../client/client.ts';
import { TributaryFileClient } from './fileClient.ts';
import type { LocalSigner, UnsignedAction } from '../client/signer.ts';
import { verifyReceipt } from '../node/receipt.ts';
import { DEFAULT_NODE } from './defaults.ts';
import { CliError, UsageError } from './errors.ts';
import { writeFileAtomic } from './files.ts';
import { isAddress, Keystore, type KeystoreAccount } from './keystore.ts';
import { KnownNodes, nodeId } from './pins.ts';

export interface GlobalOptions {
  node?: string;
  keystore?: string;
  from?: string;
  json?: boolean;
}

export interface Globals {
  nodeUrl: string;
  /** Whether the node was named by --node or TRIBUTARY_NODE rather than defaulted. */
  nodeGiven: boolean;
  keystorePath: string;
  from?: string;
  json: boolean;
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}

export function resolveGlobals(opts: GlobalOptions, env: NodeJS.ProcessEnv = process.env): Globals {
  const node = opts.node ?? env.TRIBUTARY_NODE;
  const keystore = opts.keystore ?? env.TRIBUTARY_KEYSTORE ?? join(homedir(), '.tributary', 'keystore.json');
  return {
    nodeUrl: node ?? DEFAULT_NODE,
    nodeGiven: node !== undefined,
    keystorePath: resolve(expandHome(keystore)),
    from: opts.from,
    json: opts.json === true,
  };
}

export interface Connection {
  client: TributaryFileClient;
  /** The node's verifier key, equal to the one pinned for it. */
  verifierKey: string;
  firstContact: boolean;
}

export class CliContext {
  private connection?: Promise<Connection>;
  private store?: Keystore;

  constructor(readonly globals: Globals) {}

  /** The context for the command being run (its options merged with the program's). */
  static of(cmd: Command): CliContext {
    return new CliContext(resolveGlobals(cmd.optsWithGlobals<GlobalOptions>()));
  }

  get json(): boolean {
    return this.globals.json;
  }

  /** nodes.json lives next to the keystore, so one --keystore selects a whole identity. */
  get knownNodes(): KnownNodes {
    return new KnownNodes(join(dirname(this.globals.keystorePath), 'nodes.json'));
  }

  keystore(): Keystore {
    this.store ??= Keystore.load(this.globals.keystorePath);
    return this.store;
  }

  signer(): { account: KeystoreAccount; signer: LocalSigner } {
    return this.keystore().signer(this.globals.from);
  }

  /**
   * An address given as itself or by keystore account name; without one, the signing
   * account (--from, else the first in the keystore). Lowercase.
   */
  address(ref: string | undefined, what = 'account'): string {
    if (ref === undefined) return this.signer().account.address;
    if (isAddress(ref)) return ref.toLowerCase();
    const byName = this.keystore().accounts().find((a) => a.name === ref);
    if (!byName) throw new UsageError(`${what} ${ref} is neither an address (0x + 40 hex digits) nor an account in the keystore`);
    return byName.address;
  }

  /** A client for the node, after checking (or, on first contact, pinning) its verifier key. */
  connect(): Promise<Connection> {
    this.connection ??= (async () => {
      const url = nodeId(this.globals.nodeUrl);
      const client = new TributaryFileClient(url);
      const verifierKey = await client.verifierKey();
      const { firstContact } = this.knownNodes.check(url, verifierKey);
      if (firstContact && !this.json) this.note(`pinned the verifier key of ${url}: ${verifierKey}`);
      return { client, verifierKey, firstContact };
    })();
    return this.connection;
  }

  /**
   * Signs and submits an action, checks the receipt against the pinned key, and saves it
   * to `receiptPath` if given. Content, if any, goes inline.
   */
  async submit(action: UnsignedAction, opts: { content?: Uint8Array; receiptPath?: string } = {}): Promise<Receipt> {
    const { signer } = this.signer();
    const { client, verifierKey } = await this.connect();
    const receipt = await client.act(signer, action, opts.content);
    checkReceipt(receipt, verifierKey);
    if (opts.receiptPath !== undefined) saveReceipts(opts.receiptPath, receipt);
    return receipt;
  }

  /** Prints `data` as JSON under --json, else the prose lines. */
  out(data: unknown, prose: () => string | string[]): void {
    if (this.json) process.stdout.write(JSON.stringify(data, null, 2) + '\n');
    else {
      const text = prose();
      process.stdout.write((Array.isArray(text) ? text.join('\n') : text) + '\n');
    }
  }

  /** A side remark for people, on stderr so that it never mixes with results. */
  note(text: string): void {
    process.stderr.write(text + '\n');
  }
}

/** Checks a receipt the node just returned; a node that answers with a bad one is not to be trusted. */
export function checkReceipt(receipt: Receipt, verifierKey: string): void {
  try {
    verifyReceipt(receipt, verifierKey);
  } catch (e) {
    throw new CliError(`the node accepted the action (log index ${receipt.index}) but its receipt does not verify: ${(e as Error).message}`);
  }
}

/** Saves one receipt as a JSON object, or several as an array (what `receipt verify` reads). */
export function saveReceipts(path: string, receipts: Receipt | Receipt[]): void {
  try {
    writeFileAtomic(resolve(path), JSON.stringify(receipts, null, 2) + '\n', 0o644);
  } catch (e) {
    throw new CliError(`cannot write the receipt to ${path}: ${(e as Error).message}`);
  }
}

/** The lines every write command prints about where its action sits in the log. */
export function receiptLines(receipt: Receipt, receiptPath?: string): string[] {
  const lines = [`  log index  ${receipt.index}`, `  leaf hash  ${receipt.leafHash}`];
  if (receiptPath !== undefined) lines.push(`  receipt    ${resolve(receiptPath)}`);
  return lines;
}

/** What every write command puts in its --json output. */
export function receiptJson(receipt: Receipt, receiptPath?: string) {
  return {
    index: receipt.index,
    leafHash: receipt.leafHash,
    result: receipt.result,
    ...(receiptPath !== undefined ? { receiptFile: resolve(receiptPath) } : {}),
    receipt,
  };
}
