// The durable queue between API nodes and the sequencer when several nodes share one
// PostgreSQL database: a node without the sequencer lease writes a submission here and
// waits for its outcome; the lease holder claims rows, sequences them, and records each
// outcome in the transaction that sequenced it. Rows stay until pruned, so an outcome can
// be read after a takeover.
import type { Db } from './sql.ts';

export type SubmissionKind = 'signed' | 'node';

export interface QueuedSubmission {
  id: number;
  kind: SubmissionKind;
  body: string;
}

/** Rows done this long ago are deleted; their outcomes were read or abandoned long before. */
const KEEP_DONE_MS = 3600_000;

export class SubmissionQueue {
  private readonly insertStmt;
  private readonly claimStmt;
  private readonly outcomeStmt;
  private readonly completeStmt;
  private readonly lockStmt;
  private readonly pruneStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare<[string, string, number], { id: number }>('INSERT INTO submissions (kind, body, created_at) VALUES (?, ?, ?) RETURNING id');
    // A row claimed long ago and still open was left by a sequencer that died or failed to
    // commit: claim it again. Sequencing it twice is prevented by `lockOpen`, not by this.
    this.claimStmt = db.prepare<[number, number, number], QueuedSubmission>(
      'UPDATE submissions SET claimed_at = ? WHERE id IN (SELECT id FROM submissions WHERE NOT done AND (claimed_at IS NULL OR claimed_at < ?) ORDER BY id LIMIT ?) RETURNING id, kind, body',
    );
    this.outcomeStmt = db.prepare<[number], { done: boolean; outcome: string | null }>('SELECT done, outcome FROM submissions WHERE id = ?');
    this.completeStmt = db.prepare('UPDATE submissions SET done = TRUE, outcome = ? WHERE id = ? AND NOT done');
    this.lockStmt = db.prepare<[number], { done: boolean }>('SELECT done FROM submissions WHERE id = ? FOR UPDATE');
    this.pruneStmt = db.prepare('DELETE FROM submissions WHERE done AND created_at < ?');
  }

  enqueue(kind: SubmissionKind, body: string, now: number): number {
    return this.insertStmt.get(kind, body, now)!.id;
  }

  /** Up to `limit` open submissions, oldest first, not claimed in the last `staleMs`. */
  claim(now: number, staleMs: number, limit: number): QueuedSubmission[] {
    return this.claimStmt.all(now, now - staleMs, limit).sort((a, b) => a.id - b.id);
  }

  /**
   * Inside the sequencer's transaction: locks the row until commit and says whether it is
   * still open. A done row was sequenced already (by this node or one before a takeover).
   */
  lockOpen(id: number): boolean {
    const row = this.lockStmt.get(id);
    return row !== undefined && !row.done;
  }

  /** The recorded outcome (JSON text), or undefined while the row is open. */
  outcome(id: number): string | undefined {
    const row = this.outcomeStmt.get(id);
    if (!row) throw new Error(`submission ${id} is not in the queue`);
    return row.done ? (row.outcome ?? '') : undefined;
  }

  /** Records an outcome; inside the sequencer's transaction when the submission was sequenced. */
  complete(id: number, outcome: string): void {
    this.completeStmt.run(outcome, id);
  }

  prune(now: number): void {
    this.pruneStmt.run(now - KEEP_DONE_MS);
  }
}
