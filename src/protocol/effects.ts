// How an accepted entry's effects are carried out: the one dispatch over the kinds of
// Effect, shared by everything that writes entries down (the node's sequencer, `restore`
// and `verify` through node/applyEntry.ts, and the in-memory ledger of unit tests), so
// that no writer can skip or misread a kind the others handle. Also the one fold of a
// view increment. Where each effect lands (SQL tables, memory) is the sink's business;
// this module must never decide whether an entry is accepted, and never perform I/O.
import type { Entry } from './entry.ts';
import type { Effect } from './state.ts';

type Of<K extends Effect['kind']> = Extract<Effect, { kind: K }>;

/** Where each kind of effect lands. */
export interface EffectSink {
  retainBlob(hash: string): void;
  releaseBlob(hash: string): void;
  journal(entry: Pick<Entry, 'index' | 'time'>, lines: Of<'journal'>['lines']): void;
  views(increments: Of<'views'>['increments']): void;
  payouts(epoch: number, leaves: Of<'payouts'>['leaves']): void;
}

/** Carries out an entry's effects, in the order `apply` declared them. */
export function carryOutEffects(sink: EffectSink, entry: Pick<Entry, 'index' | 'time'>, effects: readonly Effect[] | undefined): void {
  for (const eff of effects ?? []) carryOutEffect(sink, entry, eff);
}

function carryOutEffect(sink: EffectSink, entry: Pick<Entry, 'index' | 'time'>, eff: Effect): void {
  switch (eff.kind) {
    case 'retainBlob':
      return sink.retainBlob(eff.hash);
    case 'releaseBlob':
      return sink.releaseBlob(eff.hash);
    case 'journal':
      return sink.journal(entry, eff.lines);
    case 'views':
      return sink.views(eff.increments);
    case 'payouts':
      return sink.payouts(eff.epoch, eff.leaves);
    default: {
      // A new kind of effect must be handled here, or replay would silently skip it.
      const unknown: never = eff;
      throw new Error(`entry ${entry.index} has an effect of unknown kind ${(unknown as { kind: string }).kind}`);
    }
  }
}

/**
 * A view (decimal-string fields) with `by` added to `field`; a missing field starts at 0.
 * Returns a new object: the caller stores it.
 */
export function addToView(view: Readonly<Record<string, string>> | undefined, field: string, by: string): Record<string, string> {
  const v = { ...(view ?? {}) };
  v[field] = (BigInt(v[field] ?? '0') + BigInt(by)).toString();
  return v;
}
