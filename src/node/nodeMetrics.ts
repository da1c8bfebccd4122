// The node's metric families: what its events count (batches, actions, settlements,
// served calls, chain posts) and what is read from the node at scrape time (log size,
// queues, residency, the chain worker, the process). Every name starts with tributary_
// and carries its unit. It only observes: it never changes the node.
//
// Money: Prometheus values are float64, which cannot hold 18-decimal base units exactly
// past ~0.009 tokens. Fees are exposed in whole tokens (tributary_inference_fees_tokens_total,
// a float good for graphs and alerts); the exact amounts are in the journal (GET /v1/money,
// /v1/accounts/:address/journal). Counters start at zero when the metrics start.
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { completeTrainingJob } from '../models/actions/completeTrainingJob.ts';
import { inferenceRecord } from '../settlement/actions/inferenceRecord.ts';
import { epochCount } from '../settlement/records.ts';
import { EmbeddedBackend } from '../serving/embedded.ts';
import type { BatchReport } from './events.ts';
import { exponentialBuckets, Registry } from './metrics.ts';
import type { TributaryNode } from './node.ts';

/** Base units per token (18 decimals). */
const BASE_UNITS_PER_TOKEN = 10n ** 18n;

/** Seconds, from 1 ms to about 2 minutes. */
const SECONDS_BUCKETS = exponentialBuckets(0.001, 2, 18);

export class NodeMetrics {
  readonly registry = new Registry();
  private readonly unsubscribe: Array<() => void> = [];
  private readonly loop: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });

  constructor(private readonly node: TributaryNode) {
    const r = this.registry;
    const knownTypes = new Set(node.protocol.definitions().map((d) => d.type));
    // Action types as submitted can be anything: only known ones become label values.
    const typeLabel = (type: string) => (knownTypes.has(type) ? type : 'unknown');

    const logEntries = r.gauge('tributary_log_entries', 'Entries in the log (its tree size)');
    const checkpoints = r.counter('tributary_checkpoints_signed_total', 'Checkpoints signed (one per batch that appended entries)');
    const batches = r.counter('tributary_sequencer_batches_total', 'Sequencer batches committed');
    const batchSize = r.histogram('tributary_sequencer_batch_entries', 'Entries appended per committed batch', exponentialBuckets(1, 2, 13));
    const batchTime = r.histogram('tributary_sequencer_batch_duration_seconds', 'Time one batch transaction took, checkpoint signature included', SECONDS_BUCKETS);
    const commitFailures = r.counter('tributary_sequencer_commit_failures_total', 'Batch transactions that rolled back (every submission in them failed)');
    const queued = r.gauge('tributary_sequencer_queue_depth', 'Submissions waiting for the next batch');
    const sequencing = r.gauge('tributary_sequencer_leader', '1 on the node that sequences (always, on SQLite; the sequencer lease holder, on PostgreSQL), else 0');
    const takeovers = r.counter('tributary_sequencer_lease_acquired_total', 'Times this node took the sequencer lease (PostgreSQL)');
    const stepDowns = r.counter('tributary_sequencer_lease_lost_total', 'Times this node found it no longer held the sequencer lease (PostgreSQL)');
    const accepted = r.counter('tributary_actions_accepted_total', 'Actions appended to the log, by type', ['type']);
    const rejected = r.counter('tributary_actions_rejected_total', 'Actions refused, by type and HTTP status of the refusal', ['type', 'status']);

    const settled = r.counter('tributary_inferences_settled_total', 'Inference records appended (served or recorded by hand)');
    const fees = r.counter('tributary_inference_fees_tokens_total', 'Fees charged by settled inferences, in whole tokens (base units / 10^18; float, approximate)');
    const epochs = r.gauge('tributary_settlement_epochs', 'Payout epochs closed in the log');
    const jobsDone = r.counter('tributary_training_jobs_completed_total', 'Training jobs completed (results accepted and paid)');

    const generation = r.histogram('tributary_serving_generation_seconds', 'Time the backend spent generating one served call', SECONDS_BUCKETS);
    const overhead = r.histogram('tributary_serving_overhead_seconds', 'Time attribution, settlement and logging added after generation, per served call', SECONDS_BUCKETS);

    let feeUnits = 0n;
    this.unsubscribe.push(
      node.events.on('batch', (b: BatchReport) => {
        batches.inc();
        batchTime.observe(undefined, b.ms / 1000);
        if (b.accepted.length === 0) return;
        checkpoints.inc();
        batchSize.observe(undefined, b.accepted.length);
        for (const a of b.accepted) {
          accepted.inc({ type: typeLabel(a.type) });
          // The two types these families count, named by their definitions rather than by string.
          if (a.type === inferenceRecord.type) {
            settled.inc();
            feeUnits += BigInt(String(a.result.fee ?? '0'));
          } else if (a.type === completeTrainingJob.type) jobsDone.inc();
        }
        fees.setTotal(undefined, tokens(feeUnits));
      }),
      node.events.on('commitFailed', () => commitFailures.inc()),
      node.events.on('rejected', (e) => rejected.inc({ type: typeLabel(e.type), status: String(e.status) })),
      node.events.on('served', (e) => {
        generation.observe(undefined, e.generationMs / 1000);
        overhead.observe(undefined, e.overheadMs / 1000);
      }),
    );

    r.onCollect(() => {
      logEntries.set(undefined, node.size);
      queued.set(undefined, node.sequencer.queued);
      sequencing.set(undefined, node.sequencing ? 1 : 0);
      takeovers.setTotal(undefined, node.cluster?.stats.takeovers ?? 0);
      stepDowns.setTotal(undefined, node.cluster?.stats.stepDowns ?? 0);
      epochs.set(undefined, epochCount(node.state));
    });
    this.servingGauges();
    this.chainFamilies();
    this.processGauges();
  }

  private servingGauges(): void {
    const backend = this.node.serving.backend;
    // A remote backend keeps its own queue and memory: only the embedded one is measured here.
    if (!(backend instanceof EmbeddedBackend)) return;
    const r = this.registry;
    const waiting = r.gauge('tributary_serving_queue_depth', 'Served calls waiting for their turn in the embedded backend');
    const contexts = r.gauge('tributary_serving_resident_contexts', 'Contexts loaded (one per adapter, or the base alone)');
    const bytes = r.gauge('tributary_serving_resident_bytes', 'Adapter and context bytes counted against TRIBUTARY_SERVING_MEMORY_MB');
    const loads = r.counter('tributary_serving_context_loads_total', 'Contexts created (cold starts)');
    const evictions = r.counter('tributary_serving_context_evictions_total', 'Contexts evicted to stay within the memory budget');
    const recycles = r.counter('tributary_serving_model_recycles_total', 'Model copies disposed and reloaded to free dead adapters');
    r.onCollect(() => {
      waiting.set(undefined, backend.waiting);
      contexts.set(undefined, backend.residency.residentContexts);
      bytes.set(undefined, backend.residency.residentBytes);
      loads.setTotal(undefined, backend.residency.stats.loads);
      evictions.setTotal(undefined, backend.residency.stats.evictions);
      recycles.setTotal(undefined, backend.residency.stats.recycles);
    });
  }

  private chainFamilies(): void {
    if (!this.node.chain.configured) return;
    const r = this.registry;
    const posts = r.counter('tributary_chain_posts_total', 'Chain worker transactions and credits: payout roots, anchors, fundings, deposits credited', ['what']);
    const failures = r.counter('tributary_chain_failures_total', 'Chain worker passes that failed');
    const consecutive = r.gauge('tributary_chain_consecutive_failures', 'Chain worker passes failed in a row (0 after a good pass)');
    const pending = r.gauge('tributary_chain_pending_epochs', 'Epochs closed here whose payout root is not yet on chain');
    const lastPost = r.gauge('tributary_chain_last_post_timestamp_seconds', 'Unix time of the last transaction this process posted, by kind', ['what']);
    this.unsubscribe.push(
      this.node.events.on('chainPosted', (p) => posts.inc({ what: p.what })),
      this.node.events.on('chainFailed', () => failures.inc()),
    );
    r.onCollect(() => {
      const s = this.node.chain.status();
      consecutive.set(undefined, s.failures);
      pending.set(undefined, s.pendingEpochs);
      for (const [what, p] of [['root', s.lastRoot], ['anchor', s.lastAnchor], ['funding', s.lastFunding]] as const)
        if (p?.at) lastPost.set({ what }, Date.parse(p.at) / 1000);
    });
  }

  private processGauges(): void {
    const r = this.registry;
    const rss = r.gauge('tributary_process_resident_memory_bytes', 'Resident set size of the node process');
    const heap = r.gauge('tributary_process_heap_used_bytes', 'V8 heap in use');
    const lag = r.gauge('tributary_event_loop_lag_seconds', 'Event-loop delay since the previous scrape: mean, p50, p99 and max', ['stat']);
    this.loop.enable();
    r.onCollect(() => {
      const m = process.memoryUsage();
      rss.set(undefined, m.rss);
      heap.set(undefined, m.heapUsed);
      if (this.loop.count > 0) {
        lag.set({ stat: 'mean' }, this.loop.mean / 1e9);
        lag.set({ stat: 'p50' }, this.loop.percentile(50) / 1e9);
        lag.set({ stat: 'p99' }, this.loop.percentile(99) / 1e9);
        lag.set({ stat: 'max' }, this.loop.max / 1e9);
      }
      this.loop.reset();
    });
  }

  /** The exposition document. */
  render(): string {
    return this.registry.render();
  }

  close(): void {
    for (const u of this.unsubscribe) u();
    this.loop.disable();
  }
}

/** Base units as whole tokens: one rounding to float64, relative error ~1e-16. */
function tokens(units: bigint): number {
  return Number(units) / Number(BASE_UNITS_PER_TOKEN);
}
