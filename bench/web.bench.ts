// The explorer's figures: the size of what a browser downloads (the built bundle, raw and
// gzip-compressed as a server would send it) and how fast pages appear on the embedded
// node in headless Chromium (the page rendered, median of several cold loads
// in fresh browser contexts, so nothing comes from a cache). A plain script;
// `runWebBench()` returns the figures for bench/run.ts.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { buildServer } from '../src/api/server.ts';
import { WEB_DIST } from '../src/api/routes/web.ts';
import { loadConfig } from '../src/node/config.ts';
import { TributaryNode } from '../src/node/node.ts';
import { launchBrowser } from '../test/helpers/browser.ts';

export interface WebBench {
  files: number;
  rawBytes: number;
  gzipBytes: number;
  /** Median milliseconds from navigation to the page rendered, per route. */
  loadMs: Record<string, number>;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

export async function runWebBench(loads = 5): Promise<WebBench> {
  await build({ configFile: fileURLToPath(new URL('../web/vite.config.ts', import.meta.url)), logLevel: 'error' });
  let rawBytes = 0;
  let gzipBytes = 0;
  let files = 0;
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else {
        const b = readFileSync(p);
        rawBytes += b.length;
        gzipBytes += gzipSync(b, { level: 9 }).length;
        files++;
      }
    }
  };
  walk(WEB_DIST);

  const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-web-'));
  const node = await TributaryNode.open({ ...loadConfig({ data: dir, port: '0' }, {}), demo: false, epochSeconds: 0, authWorkers: 0 });
  const app = await buildServer(node);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const browser = await launchBrowser();
  const loadMs: Record<string, number> = {};
  try {
    for (const route of ['', 'datanets', 'models', 'playground', 'earnings', 'receipts', 'log']) {
      const times: number[] = [];
      for (let i = 0; i < loads; i++) {
        const context = await browser.newContext();
        const page = await context.newPage();
        const t0 = performance.now();
        await page.goto(`${url}/#/${route}`);
        // A page has rendered when the router marks the main region no longer busy.
        await page.locator('main[aria-busy="false"]').waitFor({ timeout: 30_000 });
        times.push(performance.now() - t0);
        await context.close();
      }
      loadMs[route === '' ? 'overview' : route] = median(times);
    }
  } finally {
    await browser.close();
    await app.close();
    node.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return { files, rawBytes, gzipBytes, loadMs };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await runWebBench());
