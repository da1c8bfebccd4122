// The sweep of uploads nobody claimed: staged blobs past their TTL, and model files that no
// registration references (no RegisterBaseModel, no model version as base or adapter, no
// training job as base or result) once their last upload is older than the grace period that
// lets an uploader sign the registration. It runs on a timer in every node, over that node's
// own files. It must never delete a file that state references, nor one within its grace period.
import type { TrainingJobRecord } from '../models/records.ts';
import { modelKeys, jobKeys } from '../models/records.ts';
import type { StateReader } from '../protocol/state.ts';
import { type ModelRecord, NO_ADAPTER } from '../settlement/records.ts';
import type { BlobStore } from '../store/blobs.ts';
import type { ModelFiles } from '../store/modelFiles.ts';
import type { UploadStore } from '../store/uploads.ts';
import type { NodeConfig } from './config.ts';

export interface SweepReport {
  /** Model files deleted, by hash. */
  files: string[];
  bytes: number;
}

/** Every model file some registration in state names. */
export function referencedModelFiles(state: StateReader): Set<string> {
  const refs = new Set<string>();
  for (const [key] of state.list(modelKeys.basePrefix)) refs.add(key.slice(modelKeys.basePrefix.length).toLowerCase());
  // Model versions live under mv/<name>/<version> (moneyKeys.model).
  for (const [, m] of state.list<ModelRecord>('mv/')) {
    refs.add(m.base.toLowerCase());
    if (m.adapter !== NO_ADAPTER) refs.add(m.adapter.toLowerCase());
  }
  for (const [, j] of state.list<TrainingJobRecord>(jobKeys.jobPrefix)) {
    refs.add(j.base.toLowerCase());
    if (j.result) refs.add(j.result.adapter.toLowerCase());
  }
  return refs;
}

/** What the sweep needs of its node: the stores it prunes, the references it keeps, its grace period. */
export interface SweepDeps {
  state: StateReader;
  blobs: Pick<BlobStore, 'expireStaged'>;
  uploads: Pick<UploadStore, 'prune' | 'newest' | 'forget'>;
  files: Pick<ModelFiles, 'list' | 'remove'>;
  config: Pick<NodeConfig, 'unreferencedFileMs'>;
}

/** One pass of the sweep at time `now` (ms). */
export function sweepUploads(node: SweepDeps, now = Date.now()): SweepReport {
  node.blobs.expireStaged(now);
  node.uploads.prune(now);
  const cutoff = now - node.config.unreferencedFileMs;
  // Only files past their grace period need the (larger) scan of what state references.
  const old = node.files.list().filter((f) => Math.max(f.mtimeMs, node.uploads.newest('model-file', f.hash) ?? 0) < cutoff);
  const report: SweepReport = { files: [], bytes: 0 };
  if (old.length === 0) return report;
  const refs = referencedModelFiles(node.state);
  for (const f of old) {
    if (refs.has(f.hash)) continue;
    node.files.remove(f.hash);
    node.uploads.forget('model-file', f.hash);
    report.files.push(f.hash);
    report.bytes += f.size;
  }
  return report;
}

/** Runs the sweep every `everyMs` (0: never); returns the function that stops it. */
export function startUploadSweep(node: SweepDeps, everyMs: number, onSwept?: (r: SweepReport) => void): () => void {
  if (everyMs <= 0) return () => {};
  const timer = setInterval(() => {
    try {
      const r = sweepUploads(node);
      if (r.files.length > 0) onSwept?.(r);
    } catch (e) {
      // A database away for now, a file busy: the next tick tries again.
      console.error('the upload sweep failed; it runs again in', everyMs, 'ms:', e);
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
