// src/ledger runs unchanged in Node and in the browser (the explorer's receipt check), so
// its modules must name nothing only Node has: no node:* import, no Buffer, no process,
// and no import from outside this folder but the audited noble packages. Tests, benches
// and testdata/ (which read files and cross-check with node:crypto) are exempt.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';

const dir = new URL('.', import.meta.url);
const modules = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.bench.ts'));

/** The source without its comments, so that a comment may still say "no Buffer". */
const code = (file: string) =>
  readFileSync(new URL(file, dir), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '')
    .replace(/\s\/\/ .*$/gm, '');

describe('src/ledger is environment-free', () => {
  test('there are modules to check', () => {
    expect(modules).toEqual(expect.arrayContaining(['hasher.ts', 'proof.ts', 'note.ts', 'checkpoint.ts', 'tree.ts', 'receipt.ts', 'noble.ts']));
  });

  test.each(modules)('%s names no Node-only module or global', (file) => {
    const src = code(file);
    const imports = [...src.matchAll(/(?:from\s+|import\s*\(\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]);
    expect(imports.filter((p) => !p.startsWith('./') && !p.startsWith('@noble/'))).toEqual([]);
    expect(src).not.toMatch(/\bBuffer\b/);
    expect(src).not.toMatch(/\bprocess\./);
    expect(src).not.toMatch(/\brequire\(/);
  });
});
