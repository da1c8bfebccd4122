// `tributary contribute DATANET FILE...`: one signed Contribute action per file. Files over
// 1 MiB are staged first (PUT /v1/blobs/:hash, with a progress bar) and the action then
// carries only their hash; smaller ones travel inline. CSV files going into a JSONL
// datanet are converted to JSONL first. One failing file does not stop the others.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { ApiError } from '../../client/errors.ts';
import type { Receipt } from '../../client/client.ts';
import { CliContext, checkReceipt, receiptJson, saveReceipts } from '../context.ts';
import { csvToJsonl } from '../csv.ts';
import { CliError } from '../errors.ts';
import { bytes as fmtBytes } from '../../format/text.ts';
import { Progress } from '../progress.ts';

/** Above this, content is staged as a raw upload rather than inlined as base64 in JSON. */
export const STAGE_THRESHOLD = 1024 * 1024;

interface Prepared {
  fileName: string;
  bytes: Buffer;
  /** How the file was transformed on its way, for the user to see. */
  note?: string;
}

function prepare(path: string, kind: 'text' | 'jsonl'): Prepared {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new CliError(`cannot read the file (${(e as Error).message})`);
  }
  const fileName = basename(path);
  if (kind === 'jsonl' && fileName.toLowerCase().endsWith('.csv')) {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new CliError('the CSV is not UTF-8 text');
    }
    let converted: { jsonl: string; records: number };
    try {
      converted = csvToJsonl(text);
    } catch (e) {
      throw new CliError(`CSV ${(e as Error).message}`);
    }
    const jsonlName = fileName.slice(0, -'.csv'.length) + '.jsonl';
    return { fileName: jsonlName, bytes: Buffer.from(converted.jsonl, 'utf8'), note: `converted from CSV to ${jsonlName}, ${converted.records} records` };
  }
  return { fileName, bytes };
}

interface FileResult {
  file: string;
  ok: boolean;
  fileName?: string;
  contentHash?: string;
  size?: number;
  staged?: boolean;
  note?: string;
  contribution?: number;
  status?: string;
  index?: number;
  leafHash?: string;
  error?: { message: string; status?: number; code?: string; field?: string };
}

function describeError(e: unknown): NonNullable<FileResult['error']> {
  if (e instanceof ApiError) return { message: e.message, status: e.status, code: e.code, field: e.field };
  // Anything else (a bug included) is still reported per file, so the other files go on.
  return { message: (e as Error).message ?? String(e) };
}

export function registerContribute(program: Command): void {
  program
    .command('contribute')
    .description('contribute files (.txt, .md, .csv, .jsonl) to a datanet, one signed action each')
    .argument('<datanet>')
    .argument('<files...>')
    .option('--progress', 'draw a progress bar for large uploads even when stderr is not a terminal')
    .option('--receipt <file>', 'save the receipt JSON (an array when several files succeed) to this file')
    .addHelpText('after', '\nA .csv sent to a jsonl datanet is converted to JSONL (header row = keys) and sent as NAME.jsonl.\nFiles over 1 MiB are uploaded first, with progress on stderr.')
    .action(async (datanetName: string, files: string[], opts: { progress?: boolean; receipt?: string }, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const { signer } = ctx.signer();
      const { client, verifierKey } = await ctx.connect();
      const dn = await client.datanet(datanetName);
      const results: FileResult[] = [];
      const receipts: Receipt[] = [];

      for (const file of files) {
        const r: FileResult = { file, ok: false };
        results.push(r);
        try {
          const p = prepare(file, dn.kind);
          const contentHash = '0x' + createHash('sha256').update(p.bytes).digest('hex');
          Object.assign(r, { fileName: p.fileName, contentHash, size: p.bytes.length, staged: p.bytes.length > STAGE_THRESHOLD, note: p.note });
          const action = { type: 'Contribute', datanet: dn.name, contentHash, size: p.bytes.length, fileName: p.fileName };
          let receipt: Receipt;
          if (r.staged) {
            // Ask first: a duplicate would be refused anyway, after a pointless large upload.
            const original = await client.findContent(dn.name, contentHash);
            if (original)
              throw new CliError(`the same content is already contribution ${original.id} in ${dn.name} (by ${original.author}); the first contributor keeps the credit`);
            const progress = new Progress({ label: p.fileName, total: p.bytes.length, unit: 'bytes', force: opts.progress });
            try {
              await client.stageBlob(contentHash, p.bytes, signer, (sent, total) => progress.update(sent, total));
            } finally {
              progress.finish();
            }
            receipt = await client.act(signer, action);
          } else {
            receipt = await client.act(signer, action, p.bytes);
          }
          checkReceipt(receipt, verifierKey);
          receipts.push(receipt);
          Object.assign(r, {
            ok: true,
            contribution: receipt.result.contribution as number,
            status: receipt.result.status as string,
            index: receipt.index,
            leafHash: receipt.leafHash,
          });
          if (!ctx.json) {
            const how = [p.note, r.staged ? `staged ${fmtBytes(p.bytes.length)}` : undefined].filter(Boolean).join('; ');
            process.stdout.write(
              `${file}: contribution ${r.contribution}, ${r.status}${how ? ` (${how})` : ''}\n  log index  ${receipt.index}\n  leaf hash  ${receipt.leafHash}\n`,
            );
          }
        } catch (e) {
          r.error = describeError(e);
          const where = r.error.status !== undefined ? ` (${r.error.field ? `field ${r.error.field}, ` : ''}HTTP ${r.error.status})` : '';
          process.stderr.write(`error: ${file}: ${r.error.message}${where}\n`);
        }
      }

      if (opts.receipt !== undefined && receipts.length > 0) saveReceipts(opts.receipt, receipts.length === 1 && files.length === 1 ? receipts[0] : receipts);
      const failed = results.filter((x) => !x.ok).length;
      if (ctx.json) {
        const byFile = new Map(receipts.map((rc) => [rc.index, rc]));
        ctx.out(
          {
            datanet: dn.name,
            ok: failed === 0,
            results: results.map((x) => (x.ok ? { ...x, ...receiptJson(byFile.get(x.index!)!, opts.receipt) } : x)),
          },
          () => '',
        );
      } else if (files.length > 1) {
        process.stdout.write(`${files.length - failed} of ${files.length} files contributed to ${dn.name}${failed ? `; ${failed} failed` : ''}\n`);
      }
      if (opts.receipt !== undefined && receipts.length > 0 && !ctx.json) process.stdout.write(`receipt${receipts.length > 1 ? 's' : ''} saved to ${opts.receipt}\n`);
      if (failed > 0) process.exitCode = 1;
    });
}
