// Starts a real node (SQLite in a temp directory, or PostgreSQL: testDatabase.ts) behind the real HTTP server on
// 127.0.0.1, and a client with a few funded-by-nothing local accounts.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/api/server.ts';
import { TributaryClient } from '../../src/client/client.ts';
import { TributaryFileClient } from '../../src/cli/fileClient.ts';
import { LocalSigner } from '../../src/client/signer.ts';
import { loadConfig, type NodeConfig } from '../../src/node/config.ts';
import { TributaryNode } from '../../src/node/node.ts';
import { randomPrivateKey } from '../../src/protocol/secp256k1.ts';
import { databaseUrlFor } from './testDatabase.ts';

export interface TestNode {
  node: TributaryNode;
  app: FastifyInstance;
  url: string;
  client: TributaryFileClient;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * `at.dataDir` reuses a data directory (a restart; `stop` then leaves it in place), and
 * `at.env` is the environment the configuration is read with (DATA/chain.json is read too).
 */
export async function startTestNode(overrides: Partial<NodeConfig> = {}, at: { dataDir?: string; env?: NodeJS.ProcessEnv } = {}): Promise<TestNode> {
  const dataDir = at.dataDir ?? mkdtempSync(join(tmpdir(), 'tributary-test-'));
  // A test that names its own database (a cluster of nodes sharing one) keeps it.
  const databaseUrl = at.env?.DATABASE_URL ? undefined : await databaseUrlFor(dataDir);
  const config = { ...loadConfig({ data: dataDir, port: '0' }, at.env ?? {}), demo: false, ...(databaseUrl ? { databaseUrl } : {}), ...overrides };
  const node = await TributaryNode.open(config);
  const app = await buildServer(node);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  return {
    node,
    app,
    url,
    dataDir,
    client: new TributaryFileClient(url, { timeoutMs: 30_000 }),
    async stop() {
      await app.close();
      await node.chain.stop();
      node.close();
      if (!at.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function newSigner(): LocalSigner {
  return new LocalSigner(randomPrivateKey());
}

/** A new API key for `signer`'s account (a signed CreateApiKey), for calls that spend its balance. */
export async function apiKeyOf(client: TributaryClient, signer: LocalSigner): Promise<string> {
  const key = `trib_${randomBytes(24).toString('hex')}`;
  await client.act(signer, { type: 'CreateApiKey', keyHash: '0x' + createHash('sha256').update(key).digest('hex'), label: 'test' });
  return key;
}
