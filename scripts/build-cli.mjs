// `npm run build:cli` (and postinstall): bundles the `tributary` command to JavaScript in
// dist/cli/ with esbuild, so a call starts without compiling TypeScript. ESM, split into
// chunks so that each command's module is its own chunk, loaded only when that command
// runs (src/cli/main.ts); node_modules stay external. Writes dist/cli/stamp.json, which
// bin/cliBuild.js checks before every run. It must never leave a half-written build where
// bin/tributary.js would take it for a fresh one: the build goes to a temporary folder
// that replaces dist/cli only once complete, stamp included.
//
// In the bundle every module still sees its own source file as import.meta.url, so the
// paths it resolves from there (worker boot files, web/dist, package.json, the demo model,
// createRequire) are those it resolves when run from the sources.
import { readdirSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { BUILD_DIR, fingerprint, STAMP_FILE, STAMP_VERSION } from '../bin/cliBuild.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = join(root, BUILD_DIR);
const tmpdir = `${outdir}.tmp-${process.pid}`;
const posix = (path) => path.split(sep).join('/');

// Stat every candidate input before esbuild reads any: a file edited during the build then
// no longer matches its stamp, so that build is never taken for the new sources.
const candidates = readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })
  .filter((d) => d.isFile())
  .map((d) => posix(relative(root, join(d.parentPath, d.name))));
// Files that shape the output without being bundled: the compiler settings and this script.
const settings = ['tsconfig.json', 'scripts/build-cli.mjs'];
const before = new Map(fingerprint(root, [...candidates, ...settings]).map((f) => [f[0], f]));

/** Rewrites `import.meta.url` in each source module to that module's own source URL. */
const sourceImportMetaUrl = {
  name: 'source-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      const other = /import\.meta(?!\.url\b)\S*/.exec(text);
      if (other) return { errors: [{ text: `${posix(relative(root, args.path))} uses ${other[0]}, which bundling would change; use import.meta.url` }] };
      // Relative to dist/cli, where every chunk lands (tmpdir sits at the same depth).
      const fromBuild = JSON.stringify(posix(relative(outdir, args.path)));
      return { contents: text.replaceAll('import.meta.url', `new URL(${fromBuild}, import.meta.url).href`), loader: 'ts' };
    });
  },
};

await rm(tmpdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: ['src/cli/main.ts'],
  outdir: tmpdir,
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  // Function and class names stay as written: error names and messages may use them.
  keepNames: true,
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
  plugins: [sourceImportMetaUrl],
});

const inputs = [...Object.keys(result.metafile.inputs), ...settings].map((path) => before.get(path) ?? [path, -1, -1]);
await writeFile(join(tmpdir, STAMP_FILE), JSON.stringify({ version: STAMP_VERSION, node: process.version, inputs }) + '\n');
await rm(outdir, { recursive: true, force: true });
await rename(tmpdir, outdir);
const chunks = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js')).length;
console.log(`built the tributary CLI into ${BUILD_DIR}: ${chunks} chunks from ${inputs.length - settings.length} source files`);
