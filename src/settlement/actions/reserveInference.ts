// ReserveInference: before a model generates anything for a caller, the node moves the
// most the call may cost (its prompt tokens at the input price plus max_tokens at the
// output price, rounded up as every fee is) from the caller's prepaid balance into a hold
// of its own, `hold:<index>`. The InferenceRecord that settles the call pays from the hold
// and returns the rest; a ReleaseReservation returns all of it. Because the hold is taken
// in the sequencer, one reservation at a time, concurrent calls can never promise more
// than the balance, and nothing else (a withdrawal, a training job) can spend what a call
// in progress holds. Never lets a caller hold more than they have: that is a 402.
import type { ActionDefinition } from '../../protocol/action.ts';
import { reject } from '../../protocol/errors.ts';
import type { JsonValue } from '../../protocol/state.ts';
import { Book } from '../../money/book.ts';
import { inferenceFee } from '../feePolicy.ts';
import { InsufficientBalance } from '../../money/journal.ts';
import { findModel, type HoldRecord, moneyKeys } from '../records.ts';
import { policyOf } from './inferenceRecord.ts';
import { accounts } from '../../money/accounts.ts';

export interface ReserveInferenceMessage {
  model: string;
  requester: string;
  inputTokens: number;
  maxTokens: number;
  holder: string;
  ttlMs: number;
}

/** The 402 a caller gets when their prepaid balance cannot cover a call's reservation. */
export function reservationRefused(field: string, requester: string, balance: bigint, most: bigint, inputTokens: number, maxTokens: number) {
  return reject.paymentRequired(
    field,
    `${requester} has ${balance} base units prepaid (not counting what calls in progress hold) but this call may cost up to ${most} ` +
      `(${inputTokens} prompt tokens, max_tokens ${maxTokens}), which must be reserved before any text is generated: deposit more first, or ask for fewer max_tokens`,
    { balance: balance.toString(), fee: most.toString() },
  );
}

export const reserveInference: ActionDefinition<ReserveInferenceMessage> = {
  type: 'ReserveInference',
  signer: 'node',
  description: "The node holds the most an inference call may cost from the requester's prepaid balance, before generating.",
  fields: [
    { name: 'model', type: 'string', max: 80, description: 'name@version' },
    { name: 'requester', type: 'address', description: 'Who pays, from their prepaid balance' },
    { name: 'inputTokens', type: 'uint64', description: 'The prompt, counted with the base model’s tokenizer' },
    { name: 'maxTokens', type: 'uint64', description: 'The most output tokens the call may generate' },
    { name: 'holder', type: 'string', max: 80, description: 'The serving process and call holding it, <instance>/<call>' },
    { name: 'ttlMs', type: 'uint64', description: 'After this many ms of sequenced time any sequencing node may release the hold' },
  ],
  apply(ctx, m) {
    const model = findModel(ctx.state, m.model);
    if (!model) throw reject.notFound('action.model', `no model ${m.model} (name@version)`);
    const most = inferenceFee(policyOf(model), m.inputTokens, m.maxTokens);
    const book = new Book(ctx.state);
    try {
      book.journal.transfer(accounts.prepaid(m.requester), accounts.hold(ctx.index), most, 'reserve', ctx.index);
    } catch (e) {
      if (!(e instanceof InsufficientBalance)) throw e;
      throw reservationRefused('action.requester', m.requester, e.balance, most, m.inputTokens, m.maxTokens);
    }
    const hold: HoldRecord = {
      reservation: ctx.index,
      model: m.model,
      requester: m.requester,
      inputTokens: m.inputTokens,
      maxTokens: m.maxTokens,
      amount: most.toString(),
      holder: m.holder,
      expires: ctx.time + m.ttlMs,
      time: ctx.time,
    };
    book.put(moneyKeys.hold(ctx.index), hold as unknown as JsonValue);
    return {
      changes: book.changes(),
      effects: book.effects(),
      result: { reservation: ctx.index, amount: most.toString(), balance: book.journal.balance(accounts.prepaid(m.requester)).toString() },
    };
  },
};
