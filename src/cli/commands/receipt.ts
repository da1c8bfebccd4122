// `tributary receipt verify FILE`: checks a saved receipt OFFLINE: the entry hashes to
// its leaf, the leaf is in the checkpoint's tree, and the checkpoint is signed by the
// node's key (given with --key, or the one pinned for that log in nodes.json).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { receiptShapeProblem } from '../../ledger/receipt.ts';
import { decodeEntry } from '../../protocol/entry.ts';
import { type Receipt, verifyReceipt } from '../../node/receipt.ts';
import { CliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { time } from '../../format/text.ts';

function readReceipts(path: string): Receipt[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new CliError(`cannot read the receipt ${path}: ${(e as Error).message}`);
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  if (list.length === 0) throw new CliError(`${path} holds no receipts`);
  list.forEach((r, i) => {
    const where = list.length > 1 ? `${path} (receipt ${i + 1})` : path;
    const missing = receiptShapeProblem(r);
    if (missing) throw new CliError(`${where} is not a receipt: it lacks ${missing}`);
  });
  return list as Receipt[];
}

/** The key to check `receipt` with when --key is not given: the one pinned for its log. */
function pinnedKeyFor(ctx: CliContext, receipt: Receipt): { key: string; source: string } {
  const origin = receipt.checkpoint.slice(0, receipt.checkpoint.indexOf('\n'));
  const known = ctx.knownNodes;
  if (ctx.globals.nodeGiven) {
    const pin = known.get(ctx.globals.nodeUrl);
    if (!pin) throw new CliError(`no verifier key is pinned for ${ctx.globals.nodeUrl} in ${known.path}`, 1, 'pass --key (the node\'s GET /v1/log/key), or run any command against the node once to pin it');
    return { key: pin.verifierKey, source: `pinned for ${ctx.globals.nodeUrl}` };
  }
  const matches = known.byOrigin(origin);
  const keys = [...new Set(matches.map((m) => m.pin.verifierKey))];
  if (keys.length === 0)
    throw new CliError(`no verifier key is pinned for the log ${origin} in ${known.path}`, 1, "pass --key (the node's GET /v1/log/key), or run any command against that node once to pin its key");
  if (keys.length > 1) throw new CliError(`several different keys are pinned for the log ${origin} in ${known.path}`, 1, 'pass --key, or --node to say which node');
  return { key: keys[0], source: `pinned for ${matches.map((m) => m.url).join(', ')}` };
}

export function registerReceipt(program: Command): void {
  const receipt = program.command('receipt').description('receipts: proof that an action is in the log');

  receipt
    .command('verify')
    .description('check a saved receipt offline against the node key (--key, or the key pinned on first contact)')
    .argument('<file>', 'receipt JSON, as saved by --receipt (an object or an array of them)')
    .option('--key <verifier-key>', "the node's C2SP verifier key (GET /v1/log/key); default: the pinned one")
    .action((file: string, opts: { key?: string }, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const list = readReceipts(file);
      const results = list.map((r, i) => {
        const { key, source } = opts.key !== undefined ? { key: opts.key.trim(), source: 'given with --key' } : pinnedKeyFor(ctx, r);
        let v: ReturnType<typeof verifyReceipt>;
        try {
          v = verifyReceipt(r, key);
        } catch (e) {
          const which = list.length > 1 ? ` (receipt ${i + 1}, log index ${r.index})` : '';
          throw new CliError(`receipt does not verify${which}: ${(e as Error).message}`);
        }
        // The entry's own fields are shown for the reader; the proof above is what counts.
        let summary = '';
        try {
          const e = decodeEntry(v.entry);
          const by = e.auth.scheme === 'eip712' ? ` by ${e.auth.signer}` : ' by the node';
          summary = `${e.action.type}${by} at ${time(e.time)}`;
        } catch (e) {
          summary = `(entry does not decode: ${(e as Error).message})`;
        }
        return { ok: true, index: v.index, size: v.size, origin: v.origin, leafHash: r.leafHash, action: summary, verifierKey: key, keySource: source };
      });
      ctx.out(results.length === 1 ? results[0] : { ok: true, receipts: results }, () =>
        results.flatMap((r) => [
          `receipt OK: entry ${r.index} is in the log ${r.origin} at tree size ${r.size}`,
          `  action     ${r.action}`,
          `  leaf hash  ${r.leafHash}`,
          `  key        ${r.verifierKey} (${r.keySource})`,
        ]),
      );
    });
}
