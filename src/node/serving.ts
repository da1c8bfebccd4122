// The node's side of serving: which files a model id means, who an API key spends for,
// whether they can afford the call, the generation itself (embedded llama.cpp, or a
// remote OpenAI-compatible server when TRIBUTARY_BACKEND_URL is set), and then
// what every call must leave behind: attribution of the output, the fee charged and
// split, and the InferenceRecord in the log. Before anything is generated the call holds
// the most it may cost (node/reservations.ts); a caller whose balance cannot cover that
// gets a 402 and no text. The settle pays from the hold, so it never fails for lack of
// balance, and releases the rest; a client that disconnects mid-stream is charged only
// for the tokens generated until then.
import { createHash } from 'node:crypto';
import { ActionRejected, reject } from '../protocol/errors.ts';
import { BackendError, type CompletionRequest, type CompletionResult, type InferenceBackend } from '../serving/backend.ts';
import { EmbeddedBackend } from '../serving/embedded.ts';
import { RemoteBackend } from '../serving/remote.ts';
import { findBaseModel } from '../models/records.ts';
import { findApiKey } from '../serving/records.ts';
import { policyOf } from '../settlement/actions/inferenceRecord.ts';
import { reservationRefused } from '../settlement/actions/reserveInference.ts';
import { inferenceFee } from '../settlement/feePolicy.ts';
import { findModel, type ModelRecord, moneyKeys, NO_ADAPTER } from '../settlement/records.ts';
import { SequencerUnavailable } from './cluster.ts';
import type { TributaryNode } from './node.ts';
import { type Reservation, Reservations } from './reservations.ts';
import type { InferenceInput, RecordedInference } from './settlement.ts';
import { amount } from '../money/accounts.ts';

/** A backend request, naming a model instead of its files. */
export type ServeRequest = Omit<CompletionRequest, 'model'> & { model: string };

/** Tokens per sequence the node serves: prompt and completion together. */
const CONTEXT_SIZE = 512;

export interface Served extends RecordedInference, CompletionResult {
  promptTokens: number;
  model: ModelRecord;
}

export class ServingService {
  readonly backend: InferenceBackend;
  readonly reservations: Reservations;
  /** Per served call: generation time, and what the reservation before it and attribution, settlement and logging after it added. */
  readonly stats: Array<{ generationMs: number; overheadMs: number }> = [];

  constructor(private readonly node: TributaryNode) {
    const c = node.config;
    this.backend = c.backend
      ? new RemoteBackend({ baseUrl: c.backend.url, apiKey: c.backend.key, names: c.backend.names, contextSize: CONTEXT_SIZE })
      : new EmbeddedBackend({ threads: c.inferenceThreads, contextSize: CONTEXT_SIZE, sequences: c.batchSequences, parallel: c.parallelBatches, budgetBytes: c.servingMemoryBytes });
    this.reservations = new Reservations(node);
    this.reservations.start();
  }

  /** The account an API key (sent as `Authorization: Bearer KEY`) spends for. */
  account(authorization: string | undefined): string {
    const key = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!key) throw new ActionRejected(401, 'invalid_api_key', 'authorization', 'send an API key as Authorization: Bearer KEY (create one with tributary keys create)');
    const record = findApiKey(this.node.state, '0x' + createHash('sha256').update(key).digest('hex'));
    if (!record || record.revoked) throw new ActionRejected(401, 'invalid_api_key', 'authorization', record ? 'this API key was revoked' : 'unknown API key');
    return record.account;
  }

  model(id: string): ModelRecord {
    const m = findModel(this.node.state, id);
    if (!m) throw reject.notFound('model', `no model ${id}: GET /v1/models lists them`);
    if (!this.node.models.files.has(m.base)) throw reject.notFound('model', `this node does not hold the base model of ${id}`);
    if (m.adapter !== NO_ADAPTER && !this.node.models.files.has(m.adapter)) throw reject.notFound('model', `this node does not hold the adapter of ${id}`);
    return m;
  }

  async complete(account: string, r: ServeRequest): Promise<Served> {
    const m = this.model(r.model);
    const basePath = this.node.models.files.path(m.base);
    if (r.logitBias) {
      const vocab = findBaseModel(this.node.state, m.base)?.vocabSize ?? 0;
      for (const token of Object.keys(r.logitBias))
        if (Number(token) >= vocab) throw reject.invalid(`logit_bias.${token}`, `token ${token} is not in the model's vocabulary of ${vocab} tokens`);
    }
    const promptTokens = await this.backend.countTokens(basePath, r.prompt);
    if (promptTokens + r.maxTokens > this.backend.contextSize)
      throw reject.invalid('prompt', `the prompt is ${promptTokens} tokens; with max_tokens ${r.maxTokens} it exceeds the context of ${this.backend.contextSize}`);
    // Refuse at once, without a log entry, what the balance plainly cannot cover; the
    // reservation below is what binds, one at a time in the sequencer.
    const most = inferenceFee(policyOf(m), promptTokens, r.maxTokens);
    const balance = amount(this.node.state.get<string>(moneyKeys.balance(account)));
    if (balance < most) throw reservationRefused('authorization', account, balance, most, promptTokens, r.maxTokens);
    // A free model holds nothing: there is nothing to run short of.
    const tr = performance.now();
    const hold = most > 0n ? await this.reservations.reserve({ model: m.id, requester: account, inputTokens: promptTokens, maxTokens: r.maxTokens }) : undefined;
    // A request that runs too long is cut like a disconnect: the tokens so far are served and charged.
    const signal = r.signal ? AbortSignal.any([r.signal, AbortSignal.timeout(this.node.config.requestTimeoutMs)]) : AbortSignal.timeout(this.node.config.requestTimeoutMs);
    const t0 = performance.now();
    let out: CompletionResult;
    try {
      out = await this.backend.complete({
        model: { id: m.id, basePath, adapterPath: m.adapter === NO_ADAPTER ? undefined : this.node.models.files.path(m.adapter) },
        prompt: r.prompt,
        maxTokens: r.maxTokens,
        temperature: r.temperature,
        seed: r.seed,
        logitBias: r.logitBias,
        signal,
        onText: r.onText,
      });
    } catch (e) {
      if (hold) await this.reservations.release(hold);
      throw e;
    }
    const t1 = performance.now();
    // Cut before its turn came: nothing was generated, so nothing is charged, and the hold goes back.
    if (!out.started) {
      if (hold) await this.reservations.release(hold);
      throw new BackendError(
        r.signal?.aborted ? 'the client went away before generation started' : `the node is busy: the request waited ${this.node.config.requestTimeoutMs} ms without starting; retry later`,
        503,
      );
    }
    const recorded = await this.settle(hold, {
      model: m.id,
      requester: account,
      provider: this.node.config.computeAccount ?? m.owner,
      inputTokens: promptTokens,
      output: out.text,
      // Never more than was reserved for, whatever a backend reports.
      outputTokens: Math.min(out.completionTokens, r.maxTokens),
    });
    const timing = { generationMs: t1 - t0, overheadMs: t0 - tr + (performance.now() - t1) };
    this.stats.push(timing);
    if (this.stats.length > 10_000) this.stats.shift();
    this.node.events.emit('served', { model: m.id, ...timing });
    return { ...out, ...recorded, promptTokens, model: m };
  }

  /** Records the inference, paid from its hold; when that fails the hold goes back (or waits, if the record may still land). */
  private async settle(hold: Reservation | undefined, x: InferenceInput): Promise<RecordedInference> {
    try {
      const recorded = await this.node.settlement.recordInference({ ...x, ...(hold ? { reservation: hold.index } : {}) });
      if (hold) this.reservations.settled(hold);
      return recorded;
    } catch (e) {
      if (hold) {
        // Queued to the sequencer without an answer: it may still be sequenced, and must find its hold.
        if (e instanceof SequencerUnavailable) this.reservations.unsure(hold);
        else await this.reservations.release(hold);
      }
      throw e;
    }
  }

  async close(): Promise<void> {
    this.reservations.stop();
    await this.backend.close();
  }
}
