// The `tributary` command: builds the commander program, runs one command, and turns
// every failure into one `error:` line and an exit code (1 failure, 2 bad usage). It
// sets process.exitCode and returns rather than exiting, so no output is ever cut off.
//
// Only the module of the command being run is loaded: every other command is a stub that
// carries just its help line (COMMAND_MODULES), so `--version` and `--help` load no
// command module at all. This file must never import a command module statically, nor
// anything heavier than commander and the two error classes.
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Help } from 'commander';
import { ApiError } from '../client/errors.ts';
import { DEFAULT_NODE } from './defaults.ts';
import { CliError } from './errors.ts';

/** One file of src/cli/commands: the top-level commands it registers, and how to load it. */
export interface CommandModule {
  /** Each top-level command as `tributary --help` lists it: [term, description], in registration order. */
  readonly commands: readonly (readonly [term: string, description: string])[];
  readonly load: () => Promise<(program: Command) => void>;
}

// In the order `tributary --help` lists them. The help lines repeat what each module
// registers; src/cli/main.test.ts fails if they ever drift apart.
export const COMMAND_MODULES: readonly CommandModule[] = [
  {
    commands: [['start [options]', 'start a node on this machine (SQLite, a data directory and a fresh node key by default)']],
    load: async () => (await import('./commands/start.ts')).registerStart,
  },
  {
    commands: [['account', 'local EVM accounts to sign with (keys are stored UNENCRYPTED in the keystore, mode 0600)']],
    load: async () => (await import('./commands/account.ts')).registerAccount,
  },
  {
    commands: [['datanet', 'community datasets: create, list, show']],
    load: async () => (await import('./commands/datanet.ts')).registerDatanet,
  },
  {
    commands: [['contribute [options] <datanet> <files...>', 'contribute files (.txt, .md, .csv, .jsonl) to a datanet, one signed action each']],
    load: async () => (await import('./commands/contribute.ts')).registerContribute,
  },
  {
    commands: [['curate [options] <id> <decision>', 'accept or reject a contribution (owner and curators only)']],
    load: async () => (await import('./commands/curate.ts')).registerCurate,
  },
  {
    commands: [['optout [options] <id>', 'withdraw your own contribution: its content is deleted, its log entry stays']],
    load: async () => (await import('./commands/optout.ts')).registerOptOut,
  },
  {
    commands: [['snapshot [options] <datanet>', 'take a new version of a datanet: the Merkle root of its accepted contributions']],
    load: async () => (await import('./commands/snapshot.ts')).registerSnapshot,
  },
  {
    commands: [['log', 'the transparency log: checkpoints and proofs, checked before they are printed']],
    load: async () => (await import('./commands/log.ts')).registerLog,
  },
  {
    commands: [['receipt', 'receipts: proof that an action is in the log']],
    load: async () => (await import('./commands/receipt.ts')).registerReceipt,
  },
  {
    commands: [['verify [options]', "replay the whole log and check every entry, signature, root and state root (from --data DIR, else the node's API)"]],
    load: async () => (await import('./commands/verify.ts')).registerVerify,
  },
  {
    commands: [['restore [options]', 'rebuild a node by replaying a verified log into an empty data directory (or PostgreSQL database)']],
    load: async () => (await import('./commands/restore.ts')).registerRestore,
  },
  {
    commands: [['attribute [options] [text]', 'attribute a text to the contributions of a datanet (or of one version of it)']],
    load: async () => (await import('./commands/attribute.ts')).registerAttribute,
  },
  {
    commands: [['index', 'attribution indexes: build and inspect']],
    load: async () => (await import('./commands/indexes.ts')).registerIndex,
  },
  {
    commands: [['models', 'models: register one with its fee policy, list, show']],
    load: async () => (await import('./commands/models.ts')).registerModels,
  },
  {
    commands: [['dev', 'dev-mode stand-ins: a faucet, and recording an inference by hand']],
    load: async () => (await import('./commands/dev.ts')).registerDev,
  },
  {
    commands: [['earnings [options] [account]', "an account's balances and earnings (default: your account), or everyone's --by account, contribution, datanet or model"]],
    load: async () => (await import('./commands/earnings.ts')).registerEarnings,
  },
  {
    commands: [
      ['epoch', 'payout epochs: list them, close one (dev mode)'],
      ['payout <epoch> [account]', "an account's cumulative payout as of an epoch, with its Merkle proof (checked here against the epoch's root)"],
    ],
    load: async () => (await import('./commands/epoch.ts')).registerEpoch,
  },
  {
    commands: [['chain', 'the EVM chain payouts settle on: a local devnet, deploying the contracts, the worker status']],
    load: async () => (await import('./commands/chain.ts')).registerChain,
  },
  {
    commands: [['claim [options]', 'claim your payout on chain: the latest epoch root pays the difference from what you already claimed']],
    load: async () => (await import('./commands/claim.ts')).registerClaim,
  },
  {
    commands: [['deposit [options] <amount>', "deposit tokens into the node's vault from your account on chain; the node credits your prepaid balance after its confirmations"]],
    load: async () => (await import('./commands/deposit.ts')).registerDeposit,
  },
  {
    commands: [['withdraw [options] [amount]', 'take unspent prepaid balance back to your address on chain (a voucher the deposit vault pays once)']],
    load: async () => (await import('./commands/withdraw.ts')).registerWithdraw,
  },
  {
    commands: [['train [options] <datanet[@version]>', 'fine-tune a LoRA adapter on a datanet version, here, and register the model with its provenance and fee policy']],
    load: async () => (await import('./commands/train.ts')).registerTrain,
  },
  {
    commands: [['worker [options]', 'train models for a fee: lease training jobs from the node and run them with the built-in LoRA trainer']],
    load: async () => (await import('./commands/worker.ts')).registerWorkerCommand,
  },
  {
    commands: [['keys', 'API keys for /v1/completions and /v1/chat/completions: create, revoke']],
    load: async () => (await import('./commands/keys.ts')).registerKeys,
  },
  {
    commands: [['token', "the contribution token's supply (offline: no node needed)"]],
    load: async () => (await import('./commands/token.ts')).registerToken,
  },
];

/** The command name at the head of a help term (`contribute [options] <datanet>` → `contribute`). */
const nameOf = (term: string): string => term.split(' ', 1)[0];

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function withGlobalOptions(program: Command): Command {
  return program
    .option('--node <url>', `the node to talk to (env TRIBUTARY_NODE; default ${DEFAULT_NODE})`)
    .option('--keystore <path>', 'keystore file (env TRIBUTARY_KEYSTORE; default ~/.tributary/keystore.json); keys in it are UNENCRYPTED')
    .option('--from <address|name>', 'the account that signs (default: the first in the keystore)')
    .option('--json', 'print machine-readable JSON instead of prose');
}

/**
 * The top-level command `argv` runs (for `help X`, X), found by commander's own option
 * parser on a throwaway program with the same global options and command names, so a
 * value such as `--node URL` is never taken for a command. No version option there: its
 * handler would print and exit.
 */
export function commandToRun(argv: readonly string[], modules: readonly CommandModule[] = COMMAND_MODULES): string | undefined {
  const scan = withGlobalOptions(new Command('tributary')).exitOverride();
  for (const m of modules) for (const [term] of m.commands) scan.command(nameOf(term));
  let operands: string[];
  try {
    ({ operands } = scan.parseOptions([...argv]));
  } catch {
    // e.g. `--node` without its value: the real parse reports it, with no command run.
    return undefined;
  }
  return operands[0] === 'help' ? operands[1] : operands[0];
}

/**
 * The program for `argv`: the module of the command it runs registers that command for
 * real; every other command is a stub with the same help line. `loadAll` registers every
 * module (what the tests compare the stubs against).
 */
export async function buildProgram(argv: readonly string[], opts: { loadAll?: boolean; modules?: readonly CommandModule[] } = {}): Promise<Command> {
  const modules = opts.modules ?? COMMAND_MODULES;
  const program = withGlobalOptions(
    new Command('tributary').description('Tributary: a verifiable contribution log with datanets, attribution and exact settlement').version(version()),
  )
    .showHelpAfterError('(run with --help for usage)')
    // Throw instead of exiting, so main() decides the exit code and output is flushed.
    .exitOverride();
  const wanted = opts.loadAll ? undefined : commandToRun(argv, modules);
  const stubTerms = new WeakMap<Command, string>();
  // Subcommands inherit the settings above, so they must be registered after them.
  for (const m of modules) {
    if (opts.loadAll || m.commands.some(([term]) => nameOf(term) === wanted)) {
      (await m.load())(program);
      continue;
    }
    for (const [term, description] of m.commands) {
      const name = nameOf(term);
      const stub = program
        .command(name)
        .description(description)
        // Whatever it is given reaches the action below, --help included.
        .helpOption(false)
        .allowUnknownOption()
        .allowExcessArguments()
        .action(() => {
          // Unreachable while commandToRun agrees with commander; never a silent no-op if not.
          throw new Error(`command '${name}' was run without its module loaded`);
        });
      stubTerms.set(stub, term);
    }
  }
  // A stub has no options or arguments of its own, so the help prints its term as given.
  const standard = new Help();
  program.configureHelp({ subcommandTerm: (cmd) => stubTerms.get(cmd) ?? standard.subcommandTerm(cmd) });
  return program;
}

/** Prints `e` for a person (or as JSON) and returns the exit code. */
export function reportError(e: unknown, json: boolean): number {
  if (e instanceof CommanderError) {
    // commander has already printed its message (or the help); only the code is left.
    return e.exitCode === 0 ? 0 : 2;
  }
  let line: string;
  let hint: string | undefined;
  let code = 1;
  let payload: Record<string, unknown>;
  if (e instanceof ApiError && e.status === 0) {
    line = e.message;
    hint = 'start a node with `tributary start` (or `npm start` in a clone), or point --node / TRIBUTARY_NODE at a running one';
    payload = { code: e.code, message: e.message };
  } else if (e instanceof ApiError) {
    line = `${e.message} (${e.field ? `field ${e.field}, ` : ''}HTTP ${e.status})`;
    payload = { status: e.status, code: e.code, field: e.field ?? null, message: e.message, ...(e.details ? { details: e.details } : {}) };
  } else if (e instanceof CliError) {
    line = e.message;
    hint = e.hint;
    code = e.exitCode;
    payload = { message: e.message };
  } else {
    // Not an error we expected: still one line, the stack only when asked for.
    const err = e instanceof Error ? e : new Error(String(e));
    line = `${err.message}`;
    hint = process.env.TRIBUTARY_DEBUG ? err.stack : 'this looks like a bug in tributary; set TRIBUTARY_DEBUG=1 for the stack trace';
    payload = { message: err.message, name: err.name };
  }
  if (json) process.stdout.write(JSON.stringify({ ok: false, error: payload }, null, 2) + '\n');
  process.stderr.write(`error: ${line}\n${hint ? `hint: ${hint}\n` : ''}`);
  return code;
}

export async function main(argv: string[]): Promise<void> {
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    process.exitCode = reportError(e, argv.includes('--json'));
  }
}
