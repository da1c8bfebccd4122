// `npm run test:unit`: the tests that run without a browser, a PostgreSQL server or a
// built explorer, in about a minute on a two-core machine: the unit tests beside the
// code in src/ (the actions' rules on the in-memory ledger among them) and scripts/.
// The end-to-end tests in test/ start whole nodes and stay in `npm test`, as does
// anything listed below as too slow or needing PostgreSQL.
import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
    exclude: [
      ...configDefaults.exclude,
      // Starts its own PostgreSQL server.
      'src/store/postgres.test.ts',
      // Real llama.cpp, and training or running a model in TensorFlow.js: minutes, not seconds.
      'src/serving/embedded.test.ts',
      'src/models/trainer/**',
      'src/models/llama/forward.test.ts',
      'src/models/llama/weights.test.ts',
      // An EVM in process (hardhat) and solc compiles.
      'src/chain/**',
      // Child processes and worker threads: the CLI end to end, the CPU and signature pools.
      'src/cli/commands/token.test.ts',
      'src/node/cpuPool.test.ts',
      'src/node/authPool.test.ts',
      // Extracts the 35 MB node-llama-cpp vocabulary bundle with git.
      'src/tokenizer/vocab.test.ts',
      // Long randomised runs (30-40 s each on a busy two-core machine): the books against
      // conservation of money, and the payout tree against OpenZeppelin's.
      'src/settlement/books.test.ts',
      'src/settlement/payoutTree.test.ts',
    ],
    // No globalSetup: nothing here needs the explorer built or a PostgreSQL server, and
    // test/helpers/testDatabase.ts reads this to open SQLite.
    provide: { pgAdminUrl: '' },
    // One module cache per worker, not per file: importing (TypeScript transform, viem,
    // ethers) took longer than the tests themselves (86 s of 140 s here). Safe because no
    // test in this list mocks modules, stubs globals or the environment, or fakes timers.
    isolate: false,
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
