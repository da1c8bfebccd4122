// A typed client for the node's HTTP API, used by the CLI, the web app and the tests.
// It speaks only HTTP and the wire formats in docs/api.md; it holds no node internals.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { WORKER_CALL_FIELDS, WORKER_CALL_TYPE } from '../protocol/workerCall.ts';
import type { BaseModelRecord, TrainingJobRecord } from '../models/records.ts';
import type { ChainStatus } from '../node/chain.ts';
import type { PayoutProof } from '../node/settlement.ts';
import type { EpochRecord } from '../settlement/records.ts';
import type { StoredJournalLine } from '../store/moneyStore.ts';
import { ApiError } from './errors.ts';
import { UPLOAD_HEADERS, type UploadTarget } from '../protocol/uploadIntent.ts';
import { type ActionTypes, type Domain, LocalSigner, type UnsignedAction, uploadIntentHeaders, withReplayProtection } from './signer.ts';
import type { ModelInfo, Receipt } from './wire.ts';

export type { ModelInfo, Receipt };


export interface NodeInfo {
  origin: string;
  verifierKey: string;
  domain: Domain;
  size: number;
  maxContentBytes: number;
  /** Dev mode: hand-recorded inferences, hand-closed epochs and (on a play-money ledger) the faucet. */
  dev: boolean;
  /** The ledger's money, fixed at genesis: play (dev faucet, never paid out) or real (chain deposits only). */
  money: 'play' | 'real';
}

export interface Datanet {
  name: string;
  description: string;
  license: string;
  kind: 'text' | 'jsonl';
  schema: string;
  policy: 'open' | 'curated';
  curators: string[];
  owner: string;
  createdAt: number;
  time: number;
  counts: { pending: number; accepted: number; rejected: number; withdrawn: number; snapshots: number };
  duplicates: { policy: 'off' | 'flag' | 'reject'; thresholdPpm: number; minSpan: number };
}

export interface Snapshot {
  datanet: string;
  version: number;
  logSize: number;
  time: number;
  root: string;
  count: number;
  bytes: number;
  contributions?: number[];
}

export interface Contribution {
  id: number;
  datanet: string;
  author: string;
  contentHash: string;
  size: number;
  fileName: string;
  mediaType: string;
  status: 'pending' | 'accepted' | 'rejected' | 'withdrawn';
  reason: string;
  decidedBy: string | null;
  time: number;
  /** Earlier contributions this one repeats, when flagged at intake. */
  duplicateOf?: number[];
  coveragePpm?: number;
}

export interface AttributionRequest {
  datanet?: string;
  snapshot?: { datanet: string; version: number };
  model?: string;
  text: string;
  minSpan?: number;
  maxOccurrences?: number;
}

export interface AttributionResult {
  scope: { datanet: string; version?: number; logSize: number };
  tokenizer: string;
  tokens: number;
  indexTokens: number;
  minSpan: number;
  maxOccurrences: number;
  attributedPpm: number;
  unattributedPpm: number;
  contributions: Array<{ contribution: number; ppm: number; weight: string; spans: number }>;
  spans: Array<{ start: number; end: number; tokenStart: number; tokenEnd: number; text: string; count: number | null; contributions: number[] }>;
}

export interface IndexStatus {
  datanet: string;
  version: number | null;
  tokenizer: string;
  logSize: number;
  shards: Array<{ file: string; tier: number; documents: number; tokens: number; bytes: number }>;
  tombstones: number;
  documents: number;
  liveDocuments: number;
  liveTokens: number;
  building: { phase: string; done: number; total: number } | null;
  /** The part of the index this node holds: contributions whose id % of == index (TRIBUTARY_ATTRIBUTION_SHARD). */
  part: { index: number; of: number };
}




export interface LeasedJob {
  job: TrainingJob | null;
  contributions: Array<{ id: number; contentHash: string; size: number }>;
  leaseExpiresAt: number | null;
}

/** The wire shapes below are the node's own records (type-only imports: no runtime dependency). */
export type BaseModelInfo = BaseModelRecord;
export type JournalLine = StoredJournalLine;
export type Epoch = EpochRecord;
export type { PayoutProof };
export type TrainingJob = TrainingJobRecord & { lease: { worker: string; expiresAt: number } | null };

export interface ModelFileInfo {
  hash: string;
  size: number;
  kind: 'model' | 'adapter';
}

export interface AccountMoney {
  address: string;
  prepaid: string;
  unpaid: string;
  paid: string;
  earned: { baseline: string; usage: string; owner: string; compute: string; total: string };
}


export type EarningsBy = 'accounts' | 'contributions' | 'datanets' | 'models';

export interface MoneyTotals {
  /** The ledger's money, fixed at genesis: play (dev faucet) or real (chain deposits only). */
  money: 'play' | 'real';
  backed: string;
  unbacked: string;
  deposited: string;
  withdrawn: string;
  prepaid: string;
  unpaid: string;
  pools: string;
  escrow: string;
  /** Held for inference calls in progress. */
  reserved: string;
  treasury: string;
  conserved: boolean;
}



function query(q: Record<string, string | undefined>): URLSearchParams {
  return new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => e[1] !== undefined));
}

export interface ClientOptions {
  /** Milliseconds before a request is abandoned. */
  timeoutMs?: number;
}

export type { ChainStatus };

export interface WithdrawalVoucherResponse {
  voucher: { account: string; amount: string; nonce: string; deadline: string };
  signature: string;
  vault: string;
  chainId: number;
}

/** Who an upload is charged to: an account's key, which signs an upload intent, or an API key of the account. */
export type UploadAuth = LocalSigner | { apiKey: string };

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
    this.types ??= await this.json('GET', '/v1/actions/types');
    return this.types!;
  }

  /** Signs `action` (adding nonce and expiry) and submits it, with inline content if given. */
  async act(signer: LocalSigner, action: UnsignedAction, content?: Uint8Array): Promise<Receipt> {
    const { domain, types } = await this.actionTypes();
    const signed = signer.sign(domain, types, withReplayProtection(action));
    return this.submit(signed, content);
  }

  submit(signed: { action: UnsignedAction; signer: string; signature: string; domain?: Domain }, content?: Uint8Array): Promise<Receipt> {
    const body = content === undefined ? signed : { ...signed, content: Buffer.from(content).toString('base64') };
    return this.json('POST', '/v1/actions', body);
  }

  /**
   * The headers that authorise an upload: an upload intent signed by `by` for exactly these
   * bytes (target, hash, size), or its API key. The node charges the upload to that account.
   */
  async uploadHeaders(by: UploadAuth, target: UploadTarget, hash: string, size: number): Promise<Record<string, string>> {
    if (!(by instanceof LocalSigner)) return { authorization: `Bearer ${by.apiKey}`, [UPLOAD_HEADERS.size]: String(size) };
    const { domain } = await this.actionTypes();
    return uploadIntentHeaders(by, domain, { target, sha256: hash, size });
  }

  /** Uploads content ahead of its action, as `by`'s upload, streaming it and reporting bytes sent. */
  async stageBlob(hash: string, bytes: Uint8Array, by: UploadAuth, onProgress?: (sent: number, total: number) => void): Promise<void> {
    const auth = await this.uploadHeaders(by, 'blob', hash, bytes.length);
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
   * Uploads a GGUF model or adapter file from disk under its SHA-256, streaming it (model
   * files are gigabytes) and reporting bytes sent, as `by`'s upload. The node validates it
   * before keeping it.
   */
  async uploadModelFile(hash: string, path: string, by: UploadAuth, onProgress?: (sent: number, total: number) => void): Promise<ModelFileInfo> {
    const { size } = statSync(path);
    const auth = await this.uploadHeaders(by, 'model-file', hash, size);
    const chunks = createReadStream(path, { highWaterMark: 1 << 20 })[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { value, done } = await chunks.next();
        if (done) return controller.close();
        sent += value.length;
        controller.enqueue(new Uint8Array(value));
        onProgress?.(sent, size);
      },
      async cancel() {
        await chunks.return?.();
      },
    });
    const res = await this.request('PUT', `/v1/models/files/${hash}`, stream, 'application/octet-stream', { ...auth, 'content-length': String(size) });
    return (await res.json()) as ModelFileInfo;
  }

  /** Downloads a stored model or adapter file to `path`, checking its SHA-256. */
  async downloadModelFile(hash: string, path: string): Promise<void> {
    const res = await this.request('GET', `/v1/models/files/${hash}`);
    const sha = createHash('sha256');
    const out = createWriteStream(path);
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      sha.update(chunk);
      if (!out.write(chunk)) await new Promise<void>((done) => out.once('drain', () => done()));
    }
    await new Promise<void>((done, fail) => out.end((e?: Error | null) => (e ? fail(e) : done())));
    const got = '0x' + sha.digest('hex');
    if (got !== hash.toLowerCase()) throw new ApiError(0, 'hash_mismatch', 'sha256', `the node sent a file whose SHA-256 is ${got}, not ${hash}`);
  }

  // ---- training jobs ----
  async jobs(): Promise<TrainingJob[]> {
    return (await this.json<{ jobs: TrainingJob[] }>('GET', '/v1/jobs')).jobs;
  }

  job(id: number): Promise<TrainingJob> {
    return this.json('GET', `/v1/jobs/${id}`);
  }

  /** Leases the oldest open job for the signer, a registered worker; `job` is null when there is none. */
  async leaseJob(worker: LocalSigner, job = 0): Promise<LeasedJob> {
    return this.json('POST', '/v1/jobs/lease', await this.workerCall(worker, 'lease', job));
  }

  async heartbeat(worker: LocalSigner, job: number): Promise<{ leaseExpiresAt: number }> {
    return this.json('POST', `/v1/jobs/${job}/heartbeat`, await this.workerCall(worker, 'heartbeat', job));
  }

  private async workerCall(worker: LocalSigner, call: 'lease' | 'heartbeat', job: number) {
    const { domain } = await this.actionTypes();
    const expiry = Math.floor(Date.now() / 1000) + 60;
    const signed = worker.sign(domain, { [WORKER_CALL_TYPE]: WORKER_CALL_FIELDS }, { type: WORKER_CALL_TYPE, call, job, expiry });
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

  datanet(name: string): Promise<Datanet & { snapshots: Snapshot[] }> {
    return this.json('GET', `/v1/datanets/${encodeURIComponent(name)}`);
  }

  /** Contributions in id order; `order: 'desc'` with `before` pages newest first. */
  async contributions(
    name: string,
    q: { status?: string; after?: number; before?: number; order?: 'asc' | 'desc'; limit?: number } = {},
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

  async content(id: number): Promise<Buffer> {
    const res = await this.request('GET', `/v1/contributions/${id}/content`);
    return Buffer.from(await res.arrayBuffer());
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
  async earnings(by: EarningsBy, q: { account?: string; datanet?: string } = {}): Promise<Array<Record<string, string | number>>> {
    return (await this.json<{ rows: Array<Record<string, string | number>> }>('GET', `/v1/earnings/${by}?${query(q)}`)).rows;
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
  health(): Promise<{ ok: boolean; size: number; sequencing: boolean; entries: number; batches: number }> {
    return this.json('GET', '/healthz');
  }

  /**
   * Dev mode: record an inference from its output text; attributed and settled by the node.
   * It spends the balance of the account whose API key (`tributary keys create`) is given,
   * exactly as a served call would; `requester`, if given, must be that account.
   */
  recordInference(
    apiKey: string,
    x: { model: string; requester?: string; provider?: string; inputTokens: number; output: string },
  ): Promise<{
    receipt: Receipt;
    attribution: { contributions: Array<{ contribution: number; ppm: number }> };
  }> {
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
  withdrawalVoucher(index: number): Promise<WithdrawalVoucherResponse> {
    return this.json('GET', `/v1/withdrawals/${index}/voucher`);
  }

  // ---- the log ----
  async checkpoint(): Promise<string> {
    return (await this.request('GET', '/v1/log/checkpoint')).text();
  }

  async verifierKey(): Promise<string> {
    return (await (await this.request('GET', '/v1/log/key')).text()).trim();
  }

  entry(index: number): Promise<{ index: number; leafHash: string; data: string }> {
    return this.json('GET', `/v1/log/entries/${index}`);
  }

  entries(from: number, limit: number): Promise<{ size: number; entries: Array<{ index: number; data: string }> }> {
    return this.json('GET', `/v1/log/entries?from=${from}&limit=${limit}`);
  }

  checkpoints(after: number, limit: number): Promise<{ checkpoints: Array<{ size: number; note: string }> }> {
    return this.json('GET', `/v1/log/checkpoints?after=${after}&limit=${limit}`);
  }

  inclusionProof(index: number, size: number): Promise<{ index: number; size: number; leafHash: string; hashes: string[] }> {
    return this.json('GET', `/v1/log/proof/inclusion?index=${index}&size=${size}`);
  }

  consistencyProof(from: number, to: number): Promise<{ from: number; to: number; hashes: string[] }> {
    return this.json('GET', `/v1/log/proof/consistency?from=${from}&to=${to}`);
  }

  // ---- transport ----
  private async json<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
    const res = await this.request(method, path, body === undefined ? undefined : JSON.stringify(body), 'application/json', headers);
    return (await res.json()) as T;
  }

  private async request(
    method: string,
    path: string,
    body?: string | ReadableStream<Uint8Array>,
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
    let err: { code?: string; field?: string; message?: string; details?: Record<string, unknown> } = {};
    try {
      err = ((await res.json()) as { error: typeof err }).error ?? {};
    } catch {
      // not a JSON error body; fall through with the status line
    }
    throw new ApiError(res.status, err.code ?? 'http_error', err.field, err.message ?? `${method} ${path}: HTTP ${res.status}`, err.details);
  }
}
