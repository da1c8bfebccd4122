#!/usr/bin/env node
// The `tributary` command. Runs the CLI built to JavaScript in dist/cli/ (scripts/build-cli.mjs,
// which `npm install` runs) when that build is of the sources as they are now, else the
// TypeScript sources through tsx's loader: slower to start, never stale. It must never run
// a build that bin/cliBuild.js has not found fresh.
import { fileURLToPath } from 'node:url';
import { buildStaleness } from './cliBuild.js';

const stale = buildStaleness(fileURLToPath(new URL('..', import.meta.url)));
// TRIBUTARY_DEBUG also says which code runs; a person at a terminal is told why it is slow.
const debug = Boolean(process.env.TRIBUTARY_DEBUG);
let main;
if (stale === undefined) {
  if (debug) {
    // Stack traces then name the TypeScript sources rather than the bundle.
    process.setSourceMapsEnabled(true);
    process.stderr.write('tributary: running the build in dist/cli\n');
  }
  ({ main } = await import('../dist/cli/main.js'));
} else {
  if (debug || process.stderr.isTTY) process.stderr.write(`tributary: ${stale}; running the TypeScript sources through tsx (slower to start); \`npm run build:cli\` rebuilds\n`);
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
await main(process.argv.slice(2));
