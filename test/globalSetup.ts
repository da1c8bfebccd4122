// Before any test: build the explorer (web/ → web/dist) once, so the browser tests see
// the sources as they are now, not whatever the last `npm install` built.
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

export default async function setup(): Promise<void> {
  await build({ configFile: fileURLToPath(new URL('../web/vite.config.ts', import.meta.url)), logLevel: 'error' });
}
