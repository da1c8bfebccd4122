// `tributary log checkpoint|proof|consistency`: read the transparency log and check what
// the node says before printing it. Every root used is tied to the latest checkpoint,
// whose signature is checked with the pinned key; a root at another size is derived from
// an entry and proven consistent with that checkpoint, so nothing printed rests on trust.
import type { Command } from 'commander';
import type { TributaryClient } from '../../client/client.ts';
import { type Checkpoint, parseCheckpoint } from '../../nodeLedger/checkpoint.ts';
import { EMPTY_ROOT, hashLeaf } from '../../nodeLedger/hasher.ts';
import { openNote, parseVerifierKey } from '../../nodeLedger/note.ts';
import { rootFromInclusionProof, verifyConsistency, verifyInclusion } from '../../nodeLedger/proof.ts';
import { STATE_EXTENSION } from '../../node/nodeKey.ts';
import { parseCount } from '../args.ts';
import { CliContext } from '../context.ts';
import { CliError, UsageError } from '../errors.ts';

const hexList = (hashes: string[]) => hashes.map((h) => Buffer.from(h, 'hex'));

export interface SignedCheckpoint extends Checkpoint {
  note: string;
  /** The state root from the checkpoint's extension line, hex, if present. */
  stateRoot?: string;
}

/** Fetches the latest checkpoint and opens it with the pinned key. */
export async function signedCheckpoint(client: TributaryClient, verifierKey: string): Promise<SignedCheckpoint> {
  const note = await client.checkpoint();
  let cp: Checkpoint;
  try {
    cp = parseCheckpoint(openNote(note, parseVerifierKey(verifierKey)));
  } catch (e) {
    throw new CliError(`the node's checkpoint does not verify with its pinned key: ${(e as Error).message}`);
  }
  const ext = cp.extensions.find((l) => l.startsWith(STATE_EXTENSION + ' '));
  const stateRoot = ext === undefined ? undefined : Buffer.from(ext.slice(STATE_EXTENSION.length + 1), 'base64').toString('hex');
  return { ...cp, note, stateRoot };
}

/** The root of the tree of `size` leaves, proven consistent with the signed checkpoint. */
async function provenRoot(client: TributaryClient, size: number, cp: SignedCheckpoint): Promise<Buffer> {
  if (size === cp.size) return cp.rootHash;
  if (size === 0) return EMPTY_ROOT;
  if (size > cp.size) throw new CliError(`size ${size} is beyond the latest signed checkpoint (size ${cp.size})`);
  const [entry, incl, cons] = await Promise.all([client.entry(size - 1), client.inclusionProof(size - 1, size), client.consistencyProof(size, cp.size)]);
  const leaf = hashLeaf(Buffer.from(entry.data, 'base64'));
  try {
    const root = rootFromInclusionProof(size - 1, size, leaf, hexList(incl.hashes));
    verifyConsistency(size, cp.size, hexList(cons.hashes), root, cp.rootHash);
    return root;
  } catch (e) {
    throw new CliError(`the root of size ${size} does not check out against the checkpoint: ${(e as Error).message}`);
  }
}

export function registerLog(program: Command): void {
  const log = program.command('log').description('the transparency log: checkpoints and proofs, checked before they are printed');

  log
    .command('checkpoint')
    .description("print the node's latest signed checkpoint and what it says")
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const { client, verifierKey } = await ctx.connect();
      const cp = await signedCheckpoint(client, verifierKey);
      const rootHex = cp.rootHash.toString('hex');
      ctx.out({ note: cp.note, origin: cp.origin, size: cp.size, rootHash: rootHex, stateRoot: cp.stateRoot ?? null, verifierKey }, () => [
        cp.note.trimEnd(),
        '',
        `origin      ${cp.origin}`,
        `size        ${cp.size}`,
        `root        ${rootHex}`,
        `state root  ${cp.stateRoot ?? '(none)'}`,
        `signature   verified with ${verifierKey}`,
      ]);
    });

  log
    .command('proof')
    .description('the inclusion proof of entry INDEX, verified against the signed checkpoint')
    .argument('<index>', 'log index', parseCount)
    .option('--size <n>', 'tree size to prove against (default: the latest checkpoint)', parseCount)
    .action(async (index: number, opts: { size?: number }, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const { client, verifierKey } = await ctx.connect();
      const cp = await signedCheckpoint(client, verifierKey);
      const size = opts.size ?? cp.size;
      if (index >= size) throw new UsageError(`index ${index} is not below the tree size ${size}`);
      const [entry, proof, root] = await Promise.all([client.entry(index), client.inclusionProof(index, size), provenRoot(client, size, cp)]);
      const leaf = hashLeaf(Buffer.from(entry.data, 'base64'));
      if (leaf.toString('hex') !== proof.leafHash)
        throw new CliError(`entry ${index} hashes to ${leaf.toString('hex')}, but the node's proof is for leaf ${proof.leafHash}`);
      try {
        verifyInclusion(index, size, leaf, hexList(proof.hashes), root);
      } catch (e) {
        throw new CliError(`the inclusion proof of entry ${index} does not verify: ${(e as Error).message}`);
      }
      const rootHex = root.toString('hex');
      ctx.out({ index, size, leafHash: proof.leafHash, hashes: proof.hashes, root: rootHex, checkpointSize: cp.size, verified: true }, () => [
        `inclusion proof of entry ${index} in the tree of size ${size}`,
        `  leaf hash  ${proof.leafHash}`,
        `  root       ${rootHex}`,
        ...proof.hashes.map((h, i) => `  ${i === 0 ? 'hashes   ' : '         '}  ${h}`),
        `verified against the checkpoint of size ${cp.size}${size === cp.size ? '' : ` (root of size ${size} proven consistent with it)`}`,
      ]);
    });

  log
    .command('consistency')
    .description('the consistency proof between two tree sizes, verified against the signed checkpoint')
    .argument('<from>', 'older tree size', parseCount)
    .argument('<to>', 'newer tree size', parseCount)
    .action(async (from: number, to: number, _opts: unknown, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      if (from > to) throw new UsageError(`from (${from}) must not be greater than to (${to})`);
      const { client, verifierKey } = await ctx.connect();
      const cp = await signedCheckpoint(client, verifierKey);
      if (to > cp.size) throw new CliError(`size ${to} is beyond the latest signed checkpoint (size ${cp.size})`);
      const [proof, fromRoot, toRoot] = await Promise.all([client.consistencyProof(from, to), provenRoot(client, from, cp), provenRoot(client, to, cp)]);
      try {
        verifyConsistency(from, to, hexList(proof.hashes), fromRoot, toRoot);
      } catch (e) {
        throw new CliError(`the consistency proof from ${from} to ${to} does not verify: ${(e as Error).message}`);
      }
      ctx.out(
        { from, to, hashes: proof.hashes, fromRoot: fromRoot.toString('hex'), toRoot: toRoot.toString('hex'), checkpointSize: cp.size, verified: true },
        () => [
          `consistency proof from size ${from} to size ${to}`,
          `  root ${String(from).padEnd(String(to).length)}  ${fromRoot.toString('hex')}`,
          `  root ${to}  ${toRoot.toString('hex')}`,
          ...proof.hashes.map((h, i) => `  ${i === 0 ? 'hashes' : '      '}${' '.repeat(String(to).length - 1)}  ${h}`),
          `verified; both roots are tied to the checkpoint of size ${cp.size}`,
        ],
      );
    });
}
