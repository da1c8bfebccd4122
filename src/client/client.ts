// A typed client for the node's HTTP API, used by the CLI, the web app and the tests.
// It speaks only HTTP and the wire contract (src/wire, docs/api.md) and runs in the browser
// as well as in Node: it must never import node:*, the server's folders, or a signer that
// holds keys itself (it takes any ActionSigner). Reading and writing files is the CLI's
// (src/cli/fileClient.ts).
import { UPLOAD_HEADERS, type UploadTarget } from '../protocol/uploadIntent.ts';
import { WORKER_CALL_FIELDS, WORKER_CALL_TYPE } from '../protocol/workerCall.ts';
import type { ActionTypesAnswer, InferenceAnswer } from '../wire/actions.ts';
import type { AttributionRequest, AttributionResult, IndexStatus } from '../wire/attribution.ts';
import type { BaseModel, ModelFile } from '../wire/baseModels.ts';
import type { ChainStatus, WithdrawalVoucher } from '../wire/chain.ts';
import type { RecordedInference, RecordInferenceRequest } from '../wire/dev.ts';
import type { Contribution, ContributionsQuery, Datanet, DatanetDetail, Snapshot } from '../wire/datanets.ts';
import type { AccountMoney, EarningsBy, EarningsRow, JournalLine, MoneyTotals } from '../wire/earnings.ts';
import type { Epoch, PayoutProof } from '../wire/epochs.ts';
import type { Heartbeat, LeasedJob, TrainingJob } from '../wire/jobs.ts';
import type { ConsistencyProof, InclusionProof, LeafLookup, LogEntries, LogEntry, LogSearchResult, SignedCheckpoints } from '../wire/log.ts';
import type { ModelInfo } from '../wire/models.ts';
import type { Health, NodeInfo } from '../wire/node.ts';
import type { Receipt } from '../wire/receipt.ts';
import { bytesToBase64 } from './base64.ts';
import { ApiError } from './errors.ts';
import { type ActionSigner, type ActionTypes, type Domain, signUploadIntent, type UnsignedAction, withReplayProtection } from './signing.ts';

export type {
  AccountMoney,
  AttributionRequest,
  AttributionResult,
  ChainStatus,
  Contribution,
  Datanet,
  DatanetDetail,
  EarningsBy,
  EarningsRow,
  Epoch,
  Health,
  IndexStatus,
  JournalLine,
  LeasedJob,
  ModelInfo,
  MoneyTotals,
  NodeInfo,
  PayoutProof,
  Receipt,
  Snapshot,
  TrainingJob,
};
export type BaseModelInfo = BaseModel;
export type ModelFileInfo = ModelFile;
export type WithdrawalVoucherResponse = WithdrawalVoucher;

function query(q: Record<string, string | undefined>): URLSearchParams {
  return new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => e[1] !== undefined));
}

export interface ClientOptions {
  /** Milliseconds before a request is abandoned. */
  timeoutMs?: number;
  /**
   * Stream upload bodies (default true), so progress is reported as bytes leave. Browsers
   * stream a request body only over HTTP/2 and the node speaks HTTP/1.1: a page sets false,
   * and its uploads go as one body.
   */
  streamUploads?: boolean;
}

/** Who an upload is charged to: an account's signer, which signs an upload intent, or an API key of the account. */
export type UploadAuth = ActionSigner | { apiKey: string };

export class TributaryClient {
  readonly baseUrl: string;
  private types?: { domain: Domain; types: ActionTypes };

  constructor(baseUrl: string, private readonly opts: ClientOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  // ---- node and actions ----
  node(): Promise<NodeInfo> {
    return this.json('GET', '/v1/node');
  }

  async actionTypes(): Promise<{ domain: Domain; types: ActionTypes }> {
    this.types ??= await this.json<ActionTypesAnswer>('GET', '/v1/actions/types');
    return this.types!;
  }

  /** Signs `action` (adding nonce and expiry) and submits it, with inline content if given. */
  async act(signer: ActionSigner, action: UnsignedAction, content?: Uint8Array): Promise<Receipt> {
    const { domain, types } = await this.actionTypes();
    const signed = await signer.sign(domain, types, withReplayProtection(action));
    return this.submit(signed, content);
  }

  submit(signed: { action: UnsignedAction; signer: string; signature: string; domain?: Domain }, content?: Uint8Array): Promise<Receipt> {
    const body = content === undefined ? signed : { ...signed, content: bytesToBase64(content) };
    return this.json('POST', '/v1/actions', body);
  }

  /**
   * The headers that authorise an upload: an upload intent signed by `by` for exactly these
   * bytes (target, hash, size), or its API key. The node charges the upload to that account.
   */
  async uploadHeaders(by: UploadAuth, target: UploadTarget, hash: string, size: number): Promise<Record<string, string>> {
    if ('apiKey' in by) return { authorization: `Bearer ${by.apiKey}`, [UPLOAD_HEADERS.size]: String(size) };
    const { domain } = await this.actionTypes();
    return signUploadIntent(by, domain, { target, sha256: hash, size });
  }

  /** Uploads content ahead of its action, as `by`'s upload, streaming it and reporting bytes sent. */
  async stageBlob(hash: string, bytes: Uint8Array, by: UploadAuth, onProgress?: (sent: number, total: number) => void): Promise<void> {
    const auth = await this.uploadHeaders(by, 'blob', hash, bytes.length);
    if (this.opts.streamUploads === false) {
      await this.request('PUT', `/v1/blobs/${hash}`, bytes as Uint8Array<ArrayBuffer>, 'application/octet-stream', auth);
      onProgress?.(bytes.length, bytes.length);
      return;
    }
    const chunk = 256 * 1024;
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= bytes.length) {
          controller.close();
          return;
        }
        const part = bytes.subarray(sent, Math.min(bytes.length, sent + chunk));
        sent += part.length;
        controller.enqueue(part);
        onProgress?.(sent, bytes.length);
      },
    });
    await this.request('PUT', `/v1/blobs/${hash}`, stream, 'application/octet-stream', { ...auth, 'content-length': String(bytes.length) });
  }

  /**
   * Uploads a GGUF model or adapter file of `size` bytes under its SHA-256, streaming it
   * (model files are gigabytes) and reporting bytes sent, as `by`'s upload. The node
   * validates it before keeping it. From a file on disk: fileClient.ts in the CLI.
   */
  async uploadModelBytes(hash: string, size: number, chunks: AsyncIterable<Uint8Array>, by: UploadAuth, onProgress?: (sent: number, total: number) => void): Promise<ModelFileInfo> {
    const auth = await this.uploadHeaders(by, 'model-file', hash, size);
    const it = chunks[Symbol.asyncIterator]();
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { value, done } = await it.next();
        if (done) return controller.close();
        sent += value.length;
        controller.enqueue(new Uint8Array(value));
        onProgress?.(sent, size);
      },
      async cancel() {
        await it.return?.();
      },
    });
    const res = await this.request('PUT', `/v1/models/files/${hash}`, stream, 'application/octet-stream', { ...auth, 'content-length': String(size) });
    return (await res.json()) as ModelFileInfo;
  }

  /** A stored model or adapter file, as the node's answer (its body streams). The caller checks its SHA-256. */
  modelFile(hash: string): Promise<Response> {
    return this.request('GET', `/v1/models/files/${hash}`);
  }

  // ---- training jobs ----
  async jobs(): Promise<TrainingJob[]> {
    return (await this.json<{ jobs: TrainingJob[] }>('GET', '/v1/jobs')).jobs;
  }

  job(id: number): Promise<TrainingJob> {
    return this.json('GET', `/v1/jobs/${id}`);
  }

  /** Leases the oldest open job for the signer, a registered worker; `job` is null when there is none. */
  async leaseJob(worker: ActionSigner, job = 0): Promise<LeasedJob> {
    return this.json('POST', '/v1/jobs/lease', await this.workerCall(worker, 'lease', job));
  }

  async heartbeat(worker: ActionSigner, job: number): Promise<Heartbeat> {
    return this.json('POST', `/v1/jobs/${job}/heartbeat`, await this.workerCall(worker, 'heartbeat', job));
  }

  private async workerCall(worker: ActionSigner, call: 'lease' | 'heartbeat', job: number) {
    const { domain } = await this.actionTypes();
    const expiry = Math.floor(Date.now() / 1000) + 60;
    const signed = await worker.sign(domain, { [WORKER_CALL_TYPE]: [...WORKER_CALL_FIELDS] }, { type: WORKER_CALL_TYPE, call, job, expiry });
    return { worker: worker.address, job, expiry, signature: signed.signature };
  }

  async baseModels(): Promise<BaseModelInfo[]> {
    return (await this.json<{ models: BaseModelInfo[] }>('GET', '/v1/base-models')).models;
  }

  baseModel(hash: string): Promise<BaseModelInfo> {
    return this.json('GET', `/v1/base-models/${hash}`);
  }

  // ---- datanets ----
  async datanets(): Promise<Datanet[]> {
    return (await this.json<{ datanets: Datanet[] }>('GET', '/v1/datanets')).datanets;
  }

  datanet(name: string): Promise<DatanetDetail> {
    return this.json('GET', `/v1/datanets/${encodeURIComponent(name)}`);
  }

  /** Contributions in id order; `order: 'desc'` with `before` pages newest first. */
  async contributions(
    name: string,
    q: ContributionsQuery = {},
  ): Promise<Contribution[]> {
    const qs = new URLSearchParams(Object.entries(q).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)] as [string, string]));
    return (await this.json<{ contributions: Contribution[] }>('GET', `/v1/datanets/${encodeURIComponent(name)}/contributions?${qs}`)).contributions;
  }

  /** The contribution to `name` that already has this content, or undefined. */
  async findContent(name: string, contentHash: string): Promise<Contribution | undefined> {
    try {
      return await this.json<Contribution>('GET', `/v1/datanets/${encodeURIComponent(name)}/content/${contentHash}`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404 && e.field === 'hash') return undefined;
      throw e;
    }
  }

  contribution(id: number): Promise<Contribution> {
    return this.json('GET', `/v1/contributions/${id}`);
  }

  /** A contribution's bytes. */
  async content(id: number): Promise<Uint8Array> {
    const res = await this.request('GET', `/v1/contributions/${id}/content`);
    return new Uint8Array(await res.arrayBuffer());
  }

  snapshot(name: string, version: number): Promise<Snapshot> {
    return this.json('GET', `/v1/datanets/${encodeURIComponent(name)}/snapshots/${version}`);
  }

  // ---- attribution ----
  attribute(req: AttributionRequest): Promise<AttributionResult> {
    return this.json('POST', '/v1/attribution', req);
  }

  buildIndex(datanet: string, version?: number): Promise<IndexStatus> {
    return this.json('POST', '/v1/attribution/indexes', version === undefined ? { datanet } : { datanet, version });
  }

  async indexStatus(datanet?: string, version?: number): Promise<IndexStatus[]> {
    const qs = new URLSearchParams();
    if (datanet) qs.set('datanet', datanet);
    if (version !== undefined) qs.set('version', String(version));
    return (await this.json<{ indexes: IndexStatus[] }>('GET', `/v1/attribution/indexes?${qs}`)).indexes;
  }

  // ---- models, money, payouts ----
  async models(): Promise<ModelInfo[]> {
    return (await this.json<{ data: ModelInfo[] }>('GET', '/v1/models')).data;
  }

  model(id: string): Promise<ModelInfo> {
    return this.json('GET', `/v1/models/${encodeURIComponent(id)}`);
  }

  account(address: string): Promise<AccountMoney> {
    return this.json('GET', `/v1/accounts/${address}`);
  }

  async journal(address: string, q: { after?: number; limit?: number } = {}): Promise<JournalLine[]> {
    return (await this.json<{ lines: JournalLine[] }>('GET', `/v1/accounts/${address}/journal?after=${q.after ?? -1}&limit=${q.limit ?? 1000}`)).lines;
  }

  /** Cumulative earnings rows; `csv` gets the CSV text instead. */
  async earnings(by: EarningsBy, q: { account?: string; datanet?: string } = {}): Promise<EarningsRow[]> {
    return (await this.json<{ rows: EarningsRow[] }>('GET', `/v1/earnings/${by}?${query(q)}`)).rows;
  }

  async earningsCsv(by: EarningsBy, q: { account?: string; datanet?: string } = {}): Promise<string> {
    return (await this.request('GET', `/v1/earnings/${by}?${query({ ...q, format: 'csv' })}`)).text();
  }

  money(): Promise<MoneyTotals> {
    return this.json('GET', '/v1/money');
  }

  /** Dev mode: credit a prepaid balance (base units as a decimal string). */
  faucet(account: string, amount?: string): Promise<Receipt> {
    return this.json('POST', '/v1/dev/faucet', amount === undefined ? { account } : { account, amount });
  }

  /** Liveness: the log size this node sees, and whether it is the node that sequences. */
  health(): Promise<Health> {
    return this.json('GET', '/healthz');
  }

  /**
   * Dev mode: record an inference from its output text; attributed and settled by the node.
   * It spends the balance of the account whose API key (`tributary keys create`) is given,
   * exactly as a served call would; `requester`, if given, must be that account.
   */
  recordInference(apiKey: string, x: RecordInferenceRequest): Promise<RecordedInference> {
    return this.json('POST', '/v1/dev/inferences', x, { authorization: `Bearer ${apiKey}` });
  }

  /** Dev mode: close the next epoch now. */
  closeEpoch(): Promise<Receipt> {
    return this.json('POST', '/v1/epochs');
  }

  async epochs(): Promise<Epoch[]> {
    return (await this.json<{ epochs: Epoch[] }>('GET', '/v1/epochs')).epochs;
  }

  payout(epoch: number, account: string): Promise<PayoutProof> {
    return this.json('GET', `/v1/payouts/${epoch}/${account}`);
  }

  /** The node's chain worker: contracts, what it posted, pending epochs, failures. */
  chainStatus(): Promise<ChainStatus> {
    return this.json('GET', '/v1/chain/status');
  }

  /** A fresh EIP-712 voucher for withdrawal `index` (the Withdraw entry's log index). */
  withdrawalVoucher(index: number): Promise<WithdrawalVoucher> {
    return this.json('GET', `/v1/withdrawals/${index}/voucher`);
  }

  // ---- the log ----
  async checkpoint(): Promise<string> {
    return (await this.request('GET', '/v1/log/checkpoint')).text();
  }

  async verifierKey(): Promise<string> {
    return (await (await this.request('GET', '/v1/log/key')).text()).trim();
  }

  entry(index: number): Promise<LogEntry> {
    return this.json('GET', `/v1/log/entries/${index}`);
  }

  entries(from: number, limit: number): Promise<LogEntries> {
    return this.json('GET', `/v1/log/entries?from=${from}&limit=${limit}`);
  }

  checkpoints(after: number, limit: number): Promise<SignedCheckpoints> {
    return this.json('GET', `/v1/log/checkpoints?after=${after}&limit=${limit}`);
  }

  inclusionProof(index: number, size: number): Promise<InclusionProof> {
    return this.json('GET', `/v1/log/proof/inclusion?index=${index}&size=${size}`);
  }

  consistencyProof(from: number, to: number): Promise<ConsistencyProof> {
    return this.json('GET', `/v1/log/proof/consistency?from=${from}&to=${to}`);
  }

  /** Which entry has this leaf hash (64 hex digits, with or without 0x). */
  leaf(leafHash: string): Promise<LeafLookup> {
    return this.json('GET', `/v1/log/leaves/${leafHash}`);
  }

  /** Entries that mention an address or 0x hash, newest first; continue with `before: next`. */
  searchLog(mentions: string, before?: number): Promise<LogSearchResult> {
    return this.json('GET', `/v1/log/search?${query({ mentions, before: before === undefined ? undefined : String(before) })}`);
  }

  /** An inference record with its receipt. */
  inference(id: number): Promise<InferenceAnswer> {
    return this.json('GET', `/v1/inferences/${id}`);
  }

  // ---- transport ----
  private async json<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
    const res = await this.request(method, path, body === undefined ? undefined : JSON.stringify(body), 'application/json', headers);
    return (await res.json()) as T;
  }

  private async request(
    method: string,
    path: string,
    body?: string | Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array>,
    contentType?: string,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const init: RequestInit & { duplex?: 'half' } = {
      method,
      headers: { ...(body !== undefined && contentType ? { 'content-type': contentType } : {}), ...headers },
      body,
      signal: AbortSignal.timeout(this.opts.timeoutMs ?? 120_000),
    };
    if (body instanceof ReadableStream) init.duplex = 'half';
    let res: Response;
    try {
      res = await fetch(this.baseUrl + path, init);
    } catch (e) {
      const c = (e as { cause?: { code?: string; message?: string } }).cause;
      const cause = c?.code ?? c?.message ?? (e as Error).message;
      throw new ApiError(0, 'unreachable', undefined, `cannot reach the node at ${this.baseUrl} (${cause}); is it running? (npm start)`);
    }
    if (res.ok) return res;
    // The node's error body; the OpenAI-compatible routes name the field `param`.
    let err: { code?: string; field?: string; param?: string | null; message?: string; details?: Record<string, unknown> } = {};
    try {
      err = ((await res.json()) as { error: typeof err }).error ?? {};
    } catch {
      // not a JSON error body; fall through with the status line
    }
    throw new ApiError(res.status, err.code ?? 'http_error', err.field ?? err.param ?? undefined, err.message ?? `${method} ${path}: HTTP ${res.status}`, err.details);
  }
}
