// Whether the CLI built to JavaScript in dist/cli/ is the build of the sources as they are
// now. The build (scripts/build-cli.mjs) records in dist/cli/stamp.json the path, mtime and
// size of every file that went into it, taken before esbuild read them; bin/tributary.js
// stats those files again (a few hundred stat calls) before it trusts the build. Plain
// JavaScript, because it runs before any TypeScript loader exists. It must never answer
// "fresh" for a build whose inputs it could not check.
import { readFileSync, statSync } from 'node:fs';

/** Where the build goes, relative to the repository root. */
export const BUILD_DIR = 'dist/cli';
/** The stamp's file name inside BUILD_DIR; bump STAMP_VERSION when its shape changes. */
export const STAMP_FILE = 'stamp.json';
export const STAMP_VERSION = 1;

// This runs on every call: plain string joins and one options object keep it to a few ms
// of CPU for a few hundred files (path.join and a fresh options object per stat doubled it).
const NO_THROW = { throwIfNoEntry: false };
const under = (root, path) => (root.endsWith('/') || root.endsWith('\\') ? root : `${root}/`) + path;

/**
 * [path, mtimeMs, size] of each file (paths relative to `root`, with `/`); a file that is
 * not there gets [path, -1, -1], which no later stat matches.
 * @param {string} root
 * @param {readonly string[]} paths
 * @returns {[string, number, number][]}
 */
export function fingerprint(root, paths) {
  return paths.map((path) => {
    const s = statSync(under(root, path), NO_THROW);
    return s ? [path, s.mtimeMs, s.size] : [path, -1, -1];
  });
}

/**
 * Why the build under `root` must not be run (no build, an unreadable stamp, or the first
 * input that changed or went away), or undefined when every input is as it was built.
 * @param {string} root
 * @returns {string | undefined}
 */
export function buildStaleness(root) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(under(root, `${BUILD_DIR}/${STAMP_FILE}`), 'utf8'));
  } catch {
    return `no build in ${BUILD_DIR}`;
  }
  if (stamp?.version !== STAMP_VERSION || !Array.isArray(stamp.inputs) || stamp.inputs.length === 0) return `${BUILD_DIR}/${STAMP_FILE} is not a stamp this version writes`;
  const base = under(root, '');
  for (const [path, mtimeMs, size] of stamp.inputs) {
    const s = statSync(base + path, NO_THROW);
    if (!s) return `${path} is gone since the build`;
    if (s.mtimeMs !== mtimeMs || s.size !== size) return `${path} changed since the build`;
  }
  return undefined;
}
