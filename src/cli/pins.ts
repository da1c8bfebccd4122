// Trust on first use for node verifier keys, like ssh's known_hosts: the first time the
// CLI talks to a node it records the node's C2SP verifier key in nodes.json (next to the
// keystore); afterwards a different key is refused loudly, because every receipt and
// checkpoint the CLI checks is only as good as the key it checks them with.
import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CliError, UsageError } from './errors.ts';
import { ensurePrivateDir, writeFileAtomic } from './files.ts';

export interface Pin {
  verifierKey: string;
  firstSeen: string;
}

interface KnownNodesFile {
  version: 1;
  nodes: Record<string, Pin>;
}

/** The pin key for a node URL: scheme, host, port and path, without a trailing slash. */
export function nodeId(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`node URL ${JSON.stringify(url)} is not a URL (want e.g. http://127.0.0.1:8790)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`node URL ${url} must be http:// or https://`);
  return u.origin + u.pathname.replace(/\/+$/, '');
}

/** The key name (the log's origin) of a verifier key `<name>+<id>+<data>`. */
export function keyName(verifierKey: string): string {
  return verifierKey.slice(0, Math.max(0, verifierKey.indexOf('+')));
}

export class KnownNodes {
  constructor(readonly path: string) {}

  private read(): KnownNodesFile {
    if (!existsSync(this.path)) return { version: 1, nodes: {} };
    try {
      const parsed = JSON.parse(readFileSync(this.path, 'utf8')) as Partial<KnownNodesFile>;
      if (typeof parsed?.nodes !== 'object' || parsed.nodes === null) throw new Error('no "nodes" object');
      return { version: 1, nodes: parsed.nodes };
    } catch (e) {
      throw new CliError(`known-nodes file ${this.path} is unreadable: ${(e as Error).message}`);
    }
  }

  get(url: string): Pin | undefined {
    return this.read().nodes[nodeId(url)];
  }

  /** Every pinned node whose key names the log `origin`. */
  byOrigin(origin: string): Array<{ url: string; pin: Pin }> {
    return Object.entries(this.read().nodes)
      .filter(([, pin]) => keyName(pin.verifierKey) === origin)
      .map(([url, pin]) => ({ url, pin }));
  }

  /** Pins `key` for `url` on first contact; throws if a different key was pinned before. */
  check(url: string, key: string): { firstContact: boolean } {
    const id = nodeId(url);
    const file = this.read();
    const pin = file.nodes[id];
    if (pin) {
      if (pin.verifierKey === key) return { firstContact: false };
      throw new CliError(
        `THE NODE'S KEY HAS CHANGED. ${id} now presents verifier key\n  ${key}\nbut on ${pin.firstSeen} it presented\n  ${pin.verifierKey}\n` +
          `Either this is another node (a new data directory) or someone is impersonating it. Nothing was sent.`,
        1,
        `if you trust the new key, delete the entry for ${id} from ${this.path}`,
      );
    }
    file.nodes[id] = { verifierKey: key, firstSeen: new Date().toISOString() };
    ensurePrivateDir(dirname(this.path));
    writeFileAtomic(this.path, JSON.stringify(file, null, 2) + '\n', 0o600);
    return { firstContact: true };
  }
}
