// Before any test: build the explorer (web/ → web/dist) and the CLI (src/cli → dist/cli)
// once, so the browser tests and every spawned `tributary` see the sources as they are
// now, not whatever the last `npm install` built. With
// TRIBUTARY_TEST_DATABASE=postgres, also start one private PostgreSQL server that every
// test node gets a database of its own on (test/helpers/testDatabase.ts).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import type { TestProject } from 'vitest/node';
import { type PostgresServer, startPostgres } from './helpers/postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The test PostgreSQL server's admin URL; empty when the suite runs on SQLite. */
    pgAdminUrl: string;
  }
}

let pg: PostgresServer | undefined;

export default async function setup(project: TestProject): Promise<() => void> {
  await build({ configFile: fileURLToPath(new URL('../web/vite.config.ts', import.meta.url)), logLevel: 'error' });
  // bin/tributary.js would fall back to the sources if this build were stale; this makes the
  // tests run the bundle that users run.
  execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build-cli.mjs', import.meta.url))], { stdio: ['ignore', 'ignore', 'inherit'] });
  const mode = process.env.TRIBUTARY_TEST_DATABASE ?? 'sqlite';
  if (mode !== 'sqlite' && mode !== 'postgres') throw new Error(`TRIBUTARY_TEST_DATABASE must be sqlite or postgres, not ${mode}`);
  if (mode === 'postgres') pg = await startPostgres();
  project.provide('pgAdminUrl', pg?.adminUrl ?? '');
  return () => pg?.destroy();
}
