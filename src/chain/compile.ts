// Compiles the Solidity in contracts/ with the npm `solc` package (WebAssembly, offline)
// through its standard-JSON interface, and hands out each contract's ABI and creation
// bytecode. Everything the code deploys or calls comes from here: an ABI or a bytecode
// written by hand could drift from the contracts, this cannot. The output is cached on
// disk under a key that hashes the sources, the compiler and OpenZeppelin versions and
// the settings, so only a change recompiles (a compile takes seconds; a cache hit, a
// file read). It must never download a compiler (`solc` is pinned in package.json and
// the version it ships is the one used), and never resolve an import outside contracts/
// and node_modules/@openzeppelin/contracts.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Abi, Hex } from 'viem';

/** The contracts the node deploys, by the name they are compiled under. */
export const CONTRACT_NAMES = ['TributaryToken', 'DepositVault', 'PayoutDistributor', 'LogAnchor', 'VestingWallet'] as const;
export type ContractName = (typeof CONTRACT_NAMES)[number];

export interface CompiledContract {
  name: string;
  /** Source unit it was compiled from, e.g. `contracts/LogAnchor.sol`. */
  source: string;
  abi: Abi;
  /** Creation bytecode, 0x hex, without constructor arguments. */
  bytecode: Hex;
}

export interface CompileOptions {
  /** Folder of .sol files (searched recursively); default contracts/ at the repository root. */
  sourcesDir?: string;
  /** Folder of cached outputs; default .cache/solc at the repository root (gitignored). */
  cacheDir?: string;
}

export interface CompileResult {
  /** Every contract with bytecode, by name. */
  contracts: Record<string, CompiledContract>;
  /** The compiler's own version string, e.g. `0.8.37+commit.….Emscripten.clang`. */
  solcVersion: string;
  /** The cache key: hex SHA-256 of sources, versions and settings. */
  key: string;
  fromCache: boolean;
  /** solc's formatted warnings, if any (errors throw instead). */
  warnings: string[];
}

/**
 * Compiler settings. `cancun` explicitly, because solc's default target moves with its
 * version and a chain that lags behind would reject newer opcodes. The IR pipeline
 * (`viaIR`) because its optimizer took ~1,800 gas off a claim (measured, 94,559 → 92,774
 * on the same source), for a compile of ~6 s instead of ~2.5 s, paid once and cached.
 * Runs at 10,000 because a claim runs many times and deploys once (65 gas a claim less
 * than the default 200; a bigger deployment, paid once).
 */
export const SOLC_SETTINGS = {
  evmVersion: 'cancun',
  viaIR: true,
  optimizer: { enabled: true, runs: 10_000 },
} as const;

/** OpenZeppelin contracts deployed as they are, not through a file of ours: source → names. */
const EXTRA_OUTPUTS: Record<string, string[]> = {
  '@openzeppelin/contracts/finance/VestingWallet.sol': ['VestingWallet'],
};

const OZ_PREFIX = '@openzeppelin/contracts/';
/** Bumped when the shape of a cache file changes, so old files are not misread. */
const CACHE_FORMAT = 1;
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** solc reported errors; `messages` are its formatted messages (file, line, caret). */
export class SolidityCompileError extends Error {
  override readonly name = 'SolidityCompileError';
  constructor(readonly messages: string[]) {
    super(`solc failed to compile contracts/:\n${messages.join('\n')}`);
  }
}

/** Two deployable contracts share a name, so a look-up by name would be ambiguous. */
export class DuplicateContractNameError extends Error {
  override readonly name = 'DuplicateContractNameError';
  constructor(
    readonly contract: string,
    readonly sources: [string, string],
  ) {
    super(`contract ${contract} is defined in both ${sources[0]} and ${sources[1]}; rename one, artifacts are looked up by name`);
  }
}

/** A contract the compile did not produce (not in contracts/, or abstract). */
export class UnknownContractError extends Error {
  override readonly name = 'UnknownContractError';
  constructor(
    readonly contract: string,
    readonly known: string[],
  ) {
    super(`no compiled contract named ${contract}; the compile produced: ${known.join(', ')}`);
  }
}

interface SolcModule {
  version(): string;
  compile(input: string, callbacks: { import: (path: string) => { contents: string } | { error: string } }): string;
}

interface SolcError {
  severity: 'error' | 'warning' | 'info';
  formattedMessage?: string;
  message: string;
}

interface SolcOutput {
  errors?: SolcError[];
  contracts?: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
}

interface CacheFile {
  format: number;
  solcVersion: string;
  contracts: Record<string, CompiledContract>;
  warnings: string[];
}

const require = createRequire(import.meta.url);
const packageVersion = (name: string): string => (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
const ozDir = (): string => dirname(require.resolve('@openzeppelin/contracts/package.json'));

/** Every .sol file under `dir`, keyed by its source unit name `contracts/<relative path>`. */
function readSources(dir: string): Record<string, { content: string }> {
  const sources: Record<string, { content: string }> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.sol')) sources[`contracts/${relative(dir, p).split(sep).join('/')}`] = { content: readFileSync(p, 'utf8') };
    }
  };
  walk(dir);
  return sources;
}

/** Resolves `@openzeppelin/contracts/…` from node_modules; anything else is an error solc reports at the import. */
function findImport(path: string): { contents: string } | { error: string } {
  if (!path.startsWith(OZ_PREFIX)) return { error: `${path} is neither in contracts/ nor under ${OZ_PREFIX}` };
  const root = ozDir();
  const file = resolve(root, path.slice(OZ_PREFIX.length));
  if (!file.startsWith(root + sep)) return { error: `${path} leaves ${OZ_PREFIX}` };
  try {
    return { contents: readFileSync(file, 'utf8') };
  } catch {
    return { error: `${path} not found in @openzeppelin/contracts ${packageVersion('@openzeppelin/contracts')}` };
  }
}

function loadSolc(): SolcModule {
  // Loading the WebAssembly compiler takes about a second, so only a cache miss does it.
  return require('solc') as SolcModule;
}

/**
 * Compiles every .sol file in `sourcesDir` (default contracts/), or returns the cached
 * output of an identical compile. Throws SolidityCompileError with solc's formatted
 * messages when solc reports an error, and DuplicateContractNameError when two
 * deployable contracts share a name.
 */
export function compileContracts(options: CompileOptions = {}): CompileResult {
  const sourcesDir = options.sourcesDir ?? join(REPO_ROOT, 'contracts');
  const cacheDir = options.cacheDir ?? join(REPO_ROOT, '.cache', 'solc');
  const sources = readSources(sourcesDir);
  const outputSelection: Record<string, Record<string, string[]>> = {};
  for (const s of Object.keys(sources)) outputSelection[s] = { '*': ['abi', 'evm.bytecode.object'] };
  for (const [s, names] of Object.entries(EXTRA_OUTPUTS)) outputSelection[s] = Object.fromEntries(names.map((n) => [n, ['abi', 'evm.bytecode.object']]));
  const input = { language: 'Solidity', sources, settings: { ...SOLC_SETTINGS, outputSelection } };

  // OpenZeppelin's files are not hashed one by one: its version pins them.
  const key = createHash('sha256')
    .update(JSON.stringify({ format: CACHE_FORMAT, solc: packageVersion('solc'), openzeppelin: packageVersion('@openzeppelin/contracts'), input }))
    .digest('hex');
  const cacheFile = join(cacheDir, `${key}.json`);
  try {
    const cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as CacheFile;
    if (cached.format === CACHE_FORMAT) return { contracts: cached.contracts, solcVersion: cached.solcVersion, key, fromCache: true, warnings: cached.warnings };
  } catch {
    // No cache file, or a damaged one: compile afresh and overwrite it.
  }

  const solc = loadSolc();
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport })) as SolcOutput;
  const diagnostics = output.errors ?? [];
  const format = (e: SolcError): string => (e.formattedMessage ?? e.message).trimEnd();
  const errors = diagnostics.filter((e) => e.severity === 'error').map(format);
  if (errors.length > 0) throw new SolidityCompileError(errors);
  const warnings = diagnostics.filter((e) => e.severity === 'warning').map(format);

  const contracts: Record<string, CompiledContract> = {};
  for (const [source, byName] of Object.entries(output.contracts ?? {})) {
    for (const [name, c] of Object.entries(byName)) {
      // Interfaces and abstract contracts have no bytecode and nothing to deploy.
      if (!c.evm.bytecode.object) continue;
      const seen = contracts[name];
      if (seen) throw new DuplicateContractNameError(name, [seen.source, source]);
      contracts[name] = { name, source, abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
    }
  }
  const file: CacheFile = { format: CACHE_FORMAT, solcVersion: solc.version(), contracts, warnings };
  mkdirSync(cacheDir, { recursive: true });
  // Write then rename, so a concurrent compile (another test worker) never reads half a file.
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(file));
  renameSync(tmp, cacheFile);
  return { contracts, solcVersion: file.solcVersion, key, fromCache: false, warnings };
}

let defaultCompile: CompileResult | undefined;

/** The project's contracts, compiled once per process (from the cache when it is fresh). */
export function compiledContracts(): CompileResult {
  defaultCompile ??= compileContracts();
  return defaultCompile;
}

/** ABI and creation bytecode of one of the project's contracts. */
export function artifact(name: ContractName): CompiledContract {
  const { contracts } = compiledContracts();
  const c = contracts[name];
  if (!c) throw new UnknownContractError(name, Object.keys(contracts));
  return c;
}
