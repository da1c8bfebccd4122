// The `tributary` command: builds the commander program, runs one command, and turns
// every failure into one `error:` line and an exit code (1 failure, 2 bad usage). It
// sets process.exitCode and returns rather than exiting, so no output is ever cut off.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ApiError } from '../client/errors.ts';
import { registerAccount } from './commands/account.ts';
import { registerAttribute } from './commands/attribute.ts';
import { registerChain } from './commands/chain.ts';
import { registerClaim } from './commands/claim.ts';
import { registerIndex } from './commands/indexes.ts';
import { registerContribute } from './commands/contribute.ts';
import { registerCurate } from './commands/curate.ts';
import { registerDatanet } from './commands/datanet.ts';
import { registerDeposit } from './commands/deposit.ts';
import { registerDev } from './commands/dev.ts';
import { registerEarnings } from './commands/earnings.ts';
import { registerEpoch } from './commands/epoch.ts';
import { registerKeys } from './commands/keys.ts';
import { registerLog } from './commands/log.ts';
import { registerModels } from './commands/models.ts';
import { registerTrain } from './commands/train.ts';
import { registerWorkerCommand } from './commands/worker.ts';
import { registerOptOut } from './commands/optout.ts';
import { registerReceipt } from './commands/receipt.ts';
import { registerSnapshot } from './commands/snapshot.ts';
import { registerStart } from './commands/start.ts';
import { registerToken } from './commands/token.ts';
import { registerRestore } from './commands/restore.ts';
import { registerVerify } from './commands/verify.ts';
import { registerWithdraw } from './commands/withdraw.ts';
import { DEFAULT_NODE } from './context.ts';
import { CliError } from './errors.ts';

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function buildProgram(): Command {
  const program = new Command('tributary')
    .description('Tributary: a verifiable contribution log with datanets, attribution and exact settlement')
    .version(version())
    .option('--node <url>', `the node to talk to (env TRIBUTARY_NODE; default ${DEFAULT_NODE})`)
    .option('--keystore <path>', 'keystore file (env TRIBUTARY_KEYSTORE; default ~/.tributary/keystore.json); keys in it are UNENCRYPTED')
    .option('--from <address|name>', 'the account that signs (default: the first in the keystore)')
    .option('--json', 'print machine-readable JSON instead of prose')
    .showHelpAfterError('(run with --help for usage)')
    // Throw instead of exiting, so main() decides the exit code and output is flushed.
    .exitOverride();
  // Subcommands inherit the settings above, so they must be registered after them.
  registerStart(program);
  registerAccount(program);
  registerDatanet(program);
  registerContribute(program);
  registerCurate(program);
  registerOptOut(program);
  registerSnapshot(program);
  registerLog(program);
  registerReceipt(program);
  registerVerify(program);
  registerRestore(program);
  registerAttribute(program);
  registerIndex(program);
  registerModels(program);
  registerDev(program);
  registerEarnings(program);
  registerEpoch(program);
  registerChain(program);
  registerClaim(program);
  registerDeposit(program);
  registerWithdraw(program);
  registerTrain(program);
  registerWorkerCommand(program);
  registerKeys(program);
  registerToken(program);
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
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    process.exitCode = reportError(e, argv.includes('--json'));
  }
}
