// Which models and adapters the embedded backend keeps in memory, within a budget.
// One loaded model per base file; one context per (base, adapter), each with a few
// sequences so that requests for one adapter run as one batch. Contexts are kept in LRU
// order and the least recently used idle one is evicted when a new one would not fit.
//
// llama.cpp frees an adapter's tensors only when the model it was loaded into is
// disposed, so evicting a context frees its KV cache but not its adapter. Those dead
// adapters still count against the budget, and when they add up to `recycleBytes` the
// model is recycled: new contexts go to a freshly loaded copy of the base, and the old
// copy (with every adapter it ever loaded) is disposed as soon as its last context is.
// The weights are memory-mapped, so the two copies share the page cache meanwhile.
//
// What is counted: adapter tensors (their file size) and each context's KV cache and
// logits, computed from the model's hyper-parameters, plus a fixed allowance for what
// else a context holds (compute buffers, thread state). The serving bench prints the
// resident set measured beside the counted figure, so a drift shows.
import { statSync } from 'node:fs';
import type { Llama, LlamaContext, LlamaModel } from 'node-llama-cpp';

export interface ResidencyOptions {
  threads: number;
  /** Tokens per sequence. */
  contextSize: number;
  /** Sequences per context: the most requests for one adapter that run as one batch. */
  sequences: number;
  /** Memory for adapters and contexts (the base weights are not counted). */
  budgetBytes: number;
  /** Dead adapter memory in one loaded model that makes it be recycled. */
  recycleBytes: number;
}

interface Instance {
  basePath: string;
  model: LlamaModel;
  /** Every adapter ever loaded into this copy of the model, with its size. */
  adapters: Map<string, number>;
  slots: Set<Slot>;
  retired: boolean;
  /** What one context of this model costs. */
  contextBytes: number;
}

export interface Slot {
  readonly lane: string;
  readonly context: LlamaContext;
  readonly adapterPath: string | undefined;
  readonly instance: Instance;
  /** Batches running on it now: a busy slot is never evicted. */
  busy: number;
}

export interface ResidencyStats {
  /** Contexts created (each a cold start for its adapter). */
  loads: number;
  evictions: number;
  /** Models disposed and reloaded to free dead adapters. */
  recycles: number;
}

export function laneOf(basePath: string, adapterPath: string | undefined): string {
  return `${basePath}\n${adapterPath ?? ''}`;
}

export class Residency {
  private readonly current = new Map<string, Instance>();
  private readonly retiring = new Set<Instance>();
  /** Most recently used last. */
  private readonly slots = new Map<string, Slot>();
  private lock: Promise<unknown> = Promise.resolve();
  private readonly disposals = new Set<Promise<void>>();
  readonly stats: ResidencyStats = { loads: 0, evictions: 0, recycles: 0 };

  constructor(
    private readonly llama: () => Promise<Llama>,
    private readonly o: ResidencyOptions,
  ) {}

  /** Bytes accounted now: adapters of every loaded model copy, and every context. */
  get residentBytes(): number {
    let bytes = 0;
    for (const i of [...this.current.values(), ...this.retiring]) {
      for (const b of i.adapters.values()) bytes += b;
      bytes += i.slots.size * i.contextBytes;
    }
    return bytes;
  }

  /** Contexts loaded now (one per adapter, or the base alone). */
  get residentContexts(): number {
    return this.slots.size;
  }

  /** The context for (base, adapter), loaded if needed, held busy until `release`. */
  acquire(basePath: string, adapterPath: string | undefined): Promise<Slot> {
    const run = this.lock.then(() => this.acquireLocked(basePath, adapterPath));
    this.lock = run.catch(() => undefined);
    return run;
  }

  release(slot: Slot): void {
    slot.busy--;
    if (slot.busy === 0 && slot.instance.retired) this.evict(slot);
  }

  async close(): Promise<void> {
    await this.lock;
    for (const s of [...this.slots.values()]) this.evict(s);
    await Promise.all(this.disposals);
    for (const i of this.current.values()) await i.model.dispose();
    this.current.clear();
  }

  private async acquireLocked(basePath: string, adapterPath: string | undefined): Promise<Slot> {
    const lane = laneOf(basePath, adapterPath);
    const found = this.slots.get(lane);
    if (found) {
      this.slots.delete(lane);
      this.slots.set(lane, found);
      found.busy++;
      return found;
    }
    const adapterBytes = adapterPath ? statSync(adapterPath).size : 0;
    const need = (i: Instance) => i.contextBytes + (adapterPath && !i.adapters.has(adapterPath) ? adapterBytes : 0);
    let instance = await this.instance(basePath);
    this.makeRoom(need(instance));
    // Making room may have retired this model copy: the new context goes to a fresh one.
    if (instance.retired) {
      instance = await this.instance(basePath);
      this.makeRoom(need(instance));
    }
    const context = await instance.model.createContext({
      contextSize: this.o.contextSize,
      sequences: this.o.sequences,
      threads: this.o.threads,
      ...(adapterPath ? { lora: { adapters: [{ filePath: adapterPath, scale: 1 }] } } : {}),
    });
    if (adapterPath) instance.adapters.set(adapterPath, adapterBytes);
    const slot: Slot = { lane, context, adapterPath, instance, busy: 1 };
    instance.slots.add(slot);
    this.slots.set(lane, slot);
    this.stats.loads++;
    return slot;
  }

  private async instance(basePath: string): Promise<Instance> {
    const have = this.current.get(basePath);
    if (have) return have;
    const model = await (await this.llama()).loadModel({ modelPath: basePath, gpuLayers: 0 });
    const instance: Instance = { basePath, model, adapters: new Map(), slots: new Set(), retired: false, contextBytes: contextBytes(model, this.o) };
    this.current.set(basePath, instance);
    return instance;
  }

  /** Evicts idle contexts, least recently used first, until `bytes` more fit the budget. */
  private makeRoom(bytes: number): void {
    for (const slot of [...this.slots.values()]) {
      if (this.residentBytes + bytes <= this.o.budgetBytes) break;
      if (slot.busy > 0) continue;
      this.evict(slot);
      this.recycleIfDead(slot.instance);
    }
  }

  private recycleIfDead(instance: Instance): void {
    if (instance.retired) return;
    const live = new Set([...instance.slots].map((s) => s.adapterPath));
    let dead = 0;
    for (const [path, bytes] of instance.adapters) if (!live.has(path)) dead += bytes;
    if (dead === 0 || dead < this.o.recycleBytes) return;
    instance.retired = true;
    this.current.delete(instance.basePath);
    this.retiring.add(instance);
    this.stats.recycles++;
    for (const s of [...instance.slots]) if (s.busy === 0) this.evict(s);
    if (instance.slots.size === 0) this.dispose(instance);
  }

  private evict(slot: Slot): void {
    this.slots.delete(slot.lane);
    const { instance } = slot;
    instance.slots.delete(slot);
    this.stats.evictions++;
    this.track(slot.context.dispose());
    if (instance.retired && instance.slots.size === 0) this.dispose(instance);
  }

  private dispose(instance: Instance): void {
    if (!this.retiring.delete(instance)) return;
    this.track(instance.model.dispose());
  }

  private track(p: Promise<void>): void {
    const t = p.catch(() => undefined).finally(() => this.disposals.delete(t));
    this.disposals.add(t);
  }
}

/**
 * What a used context holds beyond its KV cache and logits: measured with node-llama-cpp
 * 3.21.1 on CPU as the resident-set growth per context that has generated, less the
 * computed part (demo model: 4.5 MiB for 2 sequences of 512 tokens, of which 0.6 MiB
 * computed; 3.7-4.4 MiB for 4 sequences at batch sizes 32-512, of which 1.3 computed).
 */
export const CONTEXT_OVERHEAD_BYTES = 4 * 2 ** 20;

/**
 * A context's KV cache (F16 keys and values for every cell of every layer), its logits
 * (one row over the vocabulary per sequence), from the model's own hyper-parameters, and
 * the measured overhead.
 */
export function contextBytes(model: LlamaModel, o: Pick<ResidencyOptions, 'contextSize' | 'sequences'>): number {
  const a = model.fileInfo.architectureMetadata as {
    vocab_size?: number;
    block_count?: number;
    embedding_length?: number;
    attention?: { head_count?: number; head_count_kv?: number; key_length?: number; value_length?: number };
  };
  const layers = a.block_count ?? 0;
  const heads = a.attention?.head_count ?? 1;
  const kvHeads = a.attention?.head_count_kv ?? heads;
  const headDim = (a.embedding_length ?? 0) / heads;
  const kvWidth = kvHeads * ((a.attention?.key_length ?? headDim) + (a.attention?.value_length ?? headDim));
  const cells = o.contextSize * o.sequences;
  const vocab = a.vocab_size ?? (model.fileInfo.metadata as { tokenizer?: { ggml?: { tokens?: readonly unknown[] } } }).tokenizer?.ggml?.tokens?.length ?? 0;
  return cells * layers * kvWidth * 2 + o.sequences * vocab * 4 + CONTEXT_OVERHEAD_BYTES;
}
