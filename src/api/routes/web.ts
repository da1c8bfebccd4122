// The explorer (web/, built by Vite into web/dist) at /. Files are read once and kept in
// memory: the bundle is small, and a node serves it on every page load. Without a build
// the node says how to make one instead of failing.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';

export const WEB_DIST = fileURLToPath(new URL('../../../web/dist', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
};

function files(dir: string): Map<string, { body: Buffer; type: string }> {
  const out = new Map<string, { body: Buffer; type: string }>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set('/' + relative(dir, p).split('\\').join('/'), { body: readFileSync(p), type: TYPES[extname(p)] ?? 'application/octet-stream' });
    }
  };
  walk(dir);
  return out;
}

export function webRoutes(dist = WEB_DIST): FastifyPluginAsync {
  return async (app) => {
    const built = existsSync(join(dist, 'index.html')) ? files(dist) : undefined;
    const index = built?.get('/index.html');
    app.get('/', { schema: { hide: true } }, async (_req, reply) => {
      if (!index) return reply.status(503).type('text/plain; charset=utf-8').send('The explorer is not built: run `npm run build:web` (npm install does it), then reload.\nThe API is at /v1 and described at /openapi.json.\n');
      return reply.type(index.type).header('cache-control', 'no-cache').send(index.body);
    });
    app.get('/assets/*', { schema: { hide: true } }, async (req, reply) => {
      const f = built?.get(req.url.split('?')[0]);
      if (!f) return reply.status(404).type('text/plain; charset=utf-8').send('not found\n');
      // Vite names assets by their content hash, so they never change under a name.
      return reply.type(f.type).header('cache-control', 'public, max-age=31536000, immutable').send(f.body);
    });
  };
}
