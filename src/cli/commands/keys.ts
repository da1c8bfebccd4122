// `tributary keys create|revoke`: API keys for the OpenAI-compatible endpoints. A key is
// made here at random and printed once; only its SHA-256 goes into the signed
// CreateApiKey, so the log never holds it. Calls made with it spend from your balance.
import { createHash, randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { CliContext, receiptJson, receiptLines } from '../context.ts';
import { UsageError } from '../errors.ts';

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('API keys for /v1/completions and /v1/chat/completions: create, revoke');

  keys
    .command('create')
    .description('make an API key that spends from your prepaid balance (printed once; the node keeps only its hash)')
    .option('--label <text>', 'a note for yourself', '')
    .action(async (opts: { label: string }, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const key = `trib_${randomBytes(24).toString('hex')}`;
      const keyHash = '0x' + createHash('sha256').update(key).digest('hex');
      const receipt = await ctx.submit({ type: 'CreateApiKey', keyHash, label: opts.label });
      ctx.out({ key, keyHash, ...receiptJson(receipt) }, () => [
        `API key (shown once; keep it secret): ${key}`,
        `  key hash   ${keyHash}`,
        `  use it as  Authorization: Bearer ${key.slice(0, 10)}…  (OpenAI clients: apiKey, baseURL ${ctx.globals.nodeUrl}/v1)`,
        ...receiptLines(receipt),
      ]);
    });

  keys
    .command('revoke')
    .description('stop a key from spending')
    .argument('<key|keyHash>', 'the key itself, or its SHA-256 (0x + 64 hex digits)')
    .action(async (ref: string, _opts: unknown, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      if (ref.trim() === '') throw new UsageError('give the key or its hash');
      const keyHash = /^0x[0-9a-fA-F]{64}$/.test(ref) ? ref.toLowerCase() : '0x' + createHash('sha256').update(ref).digest('hex');
      const receipt = await ctx.submit({ type: 'RevokeApiKey', keyHash });
      ctx.out({ keyHash, ...receiptJson(receipt) }, () => [`revoked ${keyHash}`, ...receiptLines(receipt)]);
    });
}
