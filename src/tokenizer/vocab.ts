// Finds llama.cpp's vocabulary-only GGUFs (real tokenizers: GPT-2, LLaMA, …) and their test
// vectors. They ship inside the installed node-llama-cpp package, not as files but inside the
// git bundle of llama.cpp's source (llama/gitRelease.bundle); this module extracts the ones
// asked for, once, into a cache directory keyed by the bundle's SHA-256, so that upgrading
// node-llama-cpp can never serve a stale vocabulary: `<root>/<16 hex>/`, where the root is
// $TRIBUTARY_VOCAB_DIR or else node_modules/.cache/tributary/vocab. Extraction needs `git`
// (about a second, once per machine); later calls hash the bundle once per process (~40 ms)
// and stat a file.
// It must never use the network, never write into node-llama-cpp's own folder, and never leave
// a half-written file where a reader could find it (everything is renamed into place).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export class VocabError extends Error {
  override readonly name = 'VocabError';
}

export interface VocabTestVectors {
  /** Inputs, separated by lines `__ggml_vocab_test__`. */
  readonly inp: string;
  /** One line of space-separated token ids per input. */
  readonly out: string;
}

/**
 * Path of llama.cpp's `ggml-vocab-<name>.gguf` ('gpt-2', 'llama-bpe', 'llama-spm', 'qwen2', …),
 * extracted from node-llama-cpp on first use. Throws VocabError when git or the vocabulary is missing.
 */
export function vocabPath(name = 'gpt-2'): string {
  return join(extracted(name), `ggml-vocab-${name}.gguf`);
}

/** Paths of llama.cpp's test vectors for that vocabulary (`.gguf.inp` and `.gguf.out`). */
export function vocabTestVectorPaths(name = 'gpt-2'): VocabTestVectors {
  const gguf = vocabPath(name);
  const paths = { inp: `${gguf}.inp`, out: `${gguf}.out` };
  if (!existsSync(paths.inp) || !existsSync(paths.out)) throw new VocabError(`llama.cpp ships no test vectors for vocabulary ${name}`);
  return paths;
}

/** The folder holding node-llama-cpp's bundle: where `node_modules/node-llama-cpp` is. */
function packageDir(): string {
  const require = createRequire(import.meta.url);
  try {
    return dirname(require.resolve('node-llama-cpp/package.json'));
  } catch (e) {
    // node-llama-cpp's "exports" does not list package.json (3.21.1 does not): find the package
    // from its entry point instead, walking up to the package.json that names it.
    if ((e as NodeJS.ErrnoException).code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') {
      throw new VocabError(`node-llama-cpp is not installed, and its bundle holds the vocabularies: ${(e as Error).message}`);
    }
    for (let dir = dirname(require.resolve('node-llama-cpp')); dir !== dirname(dir); dir = dirname(dir)) {
      const pkg = join(dir, 'package.json');
      if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'node-llama-cpp') return dir;
    }
    throw new VocabError('cannot find node-llama-cpp/package.json above its entry point');
  }
}

const bundleHashes = new Map<string, string>();

/** `<root>/<first 16 hex of the bundle's SHA-256>`; the hash is taken once per process (~40 ms for 35 MB). */
function cacheDir(bundle: string, pkgDir: string): string {
  let sha = bundleHashes.get(bundle);
  if (sha === undefined) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(bundle);
    } catch (e) {
      throw new VocabError(`node-llama-cpp at ${pkgDir} has no llama.cpp bundle at ${bundle}: ${(e as Error).message}`);
    }
    sha = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
    bundleHashes.set(bundle, sha);
  }
  const root = process.env.TRIBUTARY_VOCAB_DIR || join(dirname(pkgDir), '.cache', 'tributary', 'vocab');
  return join(root, sha);
}

/** The cache folder, holding `ggml-vocab-<name>.gguf` (and its test vectors where llama.cpp has them). */
function extracted(name: string): string {
  // The name becomes part of a path and a git path spec: nothing but a plain file-name stem.
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) || name.includes('..')) throw new VocabError(`invalid vocabulary name ${JSON.stringify(name)}`);
  const pkgDir = packageDir();
  const bundle = join(pkgDir, 'llama', 'gitRelease.bundle');
  const dir = cacheDir(bundle, pkgDir);
  const file = `ggml-vocab-${name}.gguf`;
  // The .gguf is renamed into place last, so its presence means the whole set is there.
  if (existsSync(join(dir, file))) return dir;

  mkdirSync(dir, { recursive: true });
  const tmp = mkdtempSync(join(dir, `.extract-${name}-`));
  try {
    const repo = join(tmp, 'repo.git');
    // A bare clone only indexes the bundle's pack (~1 s for llama.cpp); no work tree is written.
    git(['clone', '--quiet', '--bare', bundle, repo]);
    const models = git(['ls-tree', '--name-only', 'HEAD', 'models/'], repo).toString('utf8').split('\n').filter(Boolean);
    if (!models.includes(`models/${file}`)) {
      const names = models.map((m) => /^models\/ggml-vocab-(.+)\.gguf$/.exec(m)?.[1]).filter((n): n is string => n !== undefined);
      throw new VocabError(`llama.cpp's bundle has no vocabulary ${name}; it has: ${names.join(', ')}`);
    }
    const parts = [`${file}.inp`, `${file}.out`].filter((f) => models.includes(`models/${f}`));
    for (const f of [...parts, file]) writeFileSync(join(tmp, f), git(['cat-file', 'blob', `HEAD:models/${f}`], repo));
    for (const f of [...parts, file]) renameSync(join(tmp, f), join(dir, f));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}

function git(args: string[], cwd?: string): Buffer {
  try {
    return execFileSync('git', args, {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 1 << 30,
      // The user's git configuration has no say in what a bundle contains.
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0' },
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === 'ENOENT') {
      throw new VocabError(
        "git was not found on PATH: it is needed once to extract llama.cpp's vocabularies from node-llama-cpp's bundle. Install git, or point TRIBUTARY_VOCAB_DIR at a cache another machine filled.",
      );
    }
    throw new VocabError(`git ${args.join(' ')} failed: ${err.stderr?.toString('utf8').trim() || err.message}`);
  }
}

