// The explorer's build: a single-page app in web/, bundled into web/dist, which the node
// serves at /. Built by `npm run build:web` (and on install); no dev server is needed.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The node serves the bundle itself; a report of its size is printed by the build.
    reportCompressedSize: true,
  },
});
