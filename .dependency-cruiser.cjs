// The layering of the code, enforced: `npm run check:layers` (and CI, through `npm test`)
// fails with the rule's name and comment when an import breaks it. docs/architecture.md
// draws the same picture. The rules judge production code: tests and benchmarks may import
// whatever they exercise, but nothing in src/ may import test code.
//
//   ledger <- protocol <- leaf packages <- domains <- node <- api, cli
//
// Each folder of src/ lists the folders it may import. Because every list only names
// folders further down, no two folders can import each other, directly or round about.

/** Folders every layer above the protocol may use. */
const base = ['ledger', 'protocol'];
/** What code that runs only in Node may use besides: the ledger bound to node:crypto. */
const server = [...base, 'nodeLedger'];
/** Small leaf packages with one job each: GGUF files, tokenizers, the books, a PRNG, the wire contract, formatting for people. */
const leaves = ['gguf', 'tokenizer', 'money', 'random', 'wire', 'format'];
/** The domains, in the order they may build on each other. */
const domains = ['datanets', 'attribution', 'serving', 'models', 'settlement', 'chain'];

/** folder -> the folders (besides itself) its production code may import. */
const allowed = {
  // Merkle trees, proofs, checkpoints and notes: pure, so that any verifier (the CLI, the browser) can run them.
  ledger: [],
  // The ledger on node:crypto (fast one-shot SHA-256, OpenSSL's Ed25519, Buffer hashes): the
  // node's hot paths. Never for the browser, which runs src/ledger on noble.
  nodeLedger: ['ledger'],
  // Entries, actions, canonical encoding, signatures: the rules every node replays; they know no domain.
  protocol: ['ledger', 'nodeLedger'],
  random: [],
  gguf: [],
  tokenizer: ['gguf'],
  money: ['protocol'],
  // The HTTP contract: schemas the API, the SDK and the explorer share.
  wire: ['protocol', 'ledger', 'money'],
  // Amounts, sizes, times and tables as people read them: shared by the CLI and the explorer, so pure.
  format: [],
  // Domains: the rules and records of one concern each. They never reach the node, its
  // database, the HTTP layer or the CLI: a node is one way to run them, and a replay another.
  datanets: [...server],
  attribution: [...server, 'tokenizer', 'random'],
  serving: [...server],
  models: [...server, 'gguf', 'tokenizer', 'random', 'money', 'datanets'],
  settlement: [...server, 'money', 'datanets', 'models'],
  chain: [...server, 'money', 'settlement'],
  // Storage of the log, the state and the files: below the node, beside the domains.
  store: [...server],
  // The SDK runs in browsers too: only the wire contract and the protocol, never server code.
  client: ['wire', ...base],
  // The node assembles the domains, the stores and the worker pools.
  node: [...server, ...leaves, ...domains, 'store', 'client'],
  // The HTTP server and the training worker sit on top of the node and the SDK.
  api: [...server, ...leaves, ...domains, 'store', 'client', 'node'],
  worker: [...server, ...leaves, 'models', 'client'],
  // The command line may use anything below it.
  cli: [...server, ...leaves, ...domains, 'store', 'client', 'node', 'api', 'worker'],
};

const production = '\\.(test|bench)\\.ts$';

module.exports = {
  forbidden: [
    ...Object.entries(allowed).map(([folder, may]) => ({
      name: `layers-${folder}`,
      comment: `src/${folder}/ may import only ${may.length ? may.map((f) => `src/${f}/`).join(', ') : 'nothing else in src/'} (see .dependency-cruiser.cjs and docs/architecture.md)`,
      severity: 'error',
      from: { path: `^src/${folder}/`, pathNot: production },
      to: { path: '^src/([^/]+)/', pathNot: [`^src/(${[folder, ...may].join('|')})/`] },
    })),
    {
      name: 'unknown-folder',
      comment: 'every folder of src/ has a place in the layering: add a new one to `allowed` in .dependency-cruiser.cjs',
      severity: 'error',
      from: { path: '^src/([^/]+)/', pathNot: [production, `^src/(${Object.keys(allowed).join('|')})/`] },
      to: { path: '^src/' },
    },
    {
      name: 'no-test-code-in-src',
      comment: 'production code never imports test code: fixtures live in test/, beside the tests that use them',
      severity: 'error',
      from: { path: '^src/', pathNot: production },
      to: { path: ['^test/', production] },
    },
    {
      name: 'web-not-server',
      comment: 'the explorer runs in a browser: it uses the SDK and the pure layers, never the CLI, the node or the stores',
      severity: 'error',
      from: { path: '^web/src/' },
      to: { path: '^src/(cli|node|store|api|nodeLedger)/' },
    },
    {
      name: 'no-circular',
      comment: 'no import cycles between modules of production code',
      severity: 'error',
      from: { path: '^src/', pathNot: production },
      to: { circular: true, pathNot: production },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['node_modules', '^web/dist', '^dist'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Only what imports say: type-only imports count, since they still tie the layers.
    moduleSystems: ['es6', 'cjs'],
  },
};
