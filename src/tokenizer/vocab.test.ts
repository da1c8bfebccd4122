// Tests of vocab.ts against the real node-llama-cpp bundle: extraction into a fresh cache folder,
// reuse without git, the errors for a missing git, an unknown and an unsafe name. Each
// extraction costs about a second (git indexes the 35 MB bundle once).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { requireArray, requireScalar } from '../gguf/metadata.ts';
import { readGgufFile } from '../gguf/reader.ts';
import { VocabError, vocabPath, vocabTestVectorPaths } from './vocab.ts';

const saved = { dir: process.env.TRIBUTARY_VOCAB_DIR, path: process.env.PATH };
const scratch = mkdtempSync(join(tmpdir(), 'vocab-test-'));
afterEach(() => {
  if (saved.dir === undefined) delete process.env.TRIBUTARY_VOCAB_DIR;
  else process.env.TRIBUTARY_VOCAB_DIR = saved.dir;
  process.env.PATH = saved.path;
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function vocabFault(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(VocabError);
    return (e as Error).message;
  }
  throw new Error('expected a VocabError');
}

describe('vocabPath', () => {
  test('extracts gpt-2 and its test vectors into <TRIBUTARY_VOCAB_DIR>/<bundle hash>/, then reuses them without git', () => {
    const root = join(scratch, 'fresh');
    process.env.TRIBUTARY_VOCAB_DIR = root;
    const path = vocabPath();
    expect(path).toMatch(new RegExp(`^${root.replaceAll(sep, '\\' + sep)}\\${sep}[0-9a-f]{16}\\${sep}ggml-vocab-gpt-2\\.gguf$`));
    const f = readGgufFile(path);
    expect(requireScalar(f.metadata, 'tokenizer.ggml.model', 'string')).toBe('gpt2');
    expect(requireArray(f.metadata, 'tokenizer.ggml.tokens', 'string')).toHaveLength(50257);
    expect(requireArray(f.metadata, 'tokenizer.ggml.merges', 'string')).toHaveLength(50000);
    // Nothing half-written is left behind: only the renamed files.
    const dir = join(path, '..');
    expect(readdirSync(dir).sort()).toEqual(['ggml-vocab-gpt-2.gguf', 'ggml-vocab-gpt-2.gguf.inp', 'ggml-vocab-gpt-2.gguf.out']);

    process.env.PATH = join(scratch, 'no-git-here');
    const t0 = performance.now();
    expect(vocabPath('gpt-2')).toBe(path);
    const { inp, out } = vocabTestVectorPaths('gpt-2');
    expect(performance.now() - t0).toBeLessThan(200);
    expect(readFileSync(inp, 'utf8')).toContain('\n__ggml_vocab_test__\n');
    expect(readFileSync(out, 'utf8').split('\n')[0]).toMatch(/^[ 0-9]+$/);
  });

  test('without TRIBUTARY_VOCAB_DIR the cache is node_modules/.cache/tributary/vocab/<hash>', () => {
    delete process.env.TRIBUTARY_VOCAB_DIR;
    expect(vocabPath()).toMatch(/node_modules[\\/]\.cache[\\/]tributary[\\/]vocab[\\/][0-9a-f]{16}[\\/]ggml-vocab-gpt-2\.gguf$/);
  });

  test('a missing git is named, with what to do', () => {
    process.env.TRIBUTARY_VOCAB_DIR = join(scratch, 'no-git');
    process.env.PATH = join(scratch, 'no-git-here');
    expect(vocabFault(() => vocabPath())).toMatch(/^git was not found on PATH: .*Install git/);
    // The failed attempt leaves no temporary folder.
    const root = join(scratch, 'no-git');
    for (const d of readdirSync(root)) expect(readdirSync(join(root, d))).toEqual([]);
  });

  test('an unknown vocabulary lists the ones the bundle has; an unsafe name is refused before any I/O', () => {
    process.env.TRIBUTARY_VOCAB_DIR = join(scratch, 'fresh');
    expect(vocabFault(() => vocabPath('klingon'))).toMatch(/^llama\.cpp's bundle has no vocabulary klingon; it has: .*\bgpt-2\b.*\bllama-spm\b/);
    expect(vocabFault(() => vocabPath('../etc/passwd'))).toBe('invalid vocabulary name "../etc/passwd"');
    expect(existsSync(join(scratch, 'fresh', '..', 'etc'))).toBe(false);
  });
});
