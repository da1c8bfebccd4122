// RegisterBaseModel's rules on an in-memory ledger: a well-formed name; a file registered
// once; what the node measured in the file, attested in the entry (a llama model and its
// size), never the registrant's word. What it records: the validator's report, keyed by
// the file's hash, with the registrant as owner.
import { describe, expect, it } from 'vitest';
import { account, llamaInfo, memoryLedger, sha256 } from '../../../test/fixtures/memoryLedgers.ts';
import { baseModelInfo, findBaseModel } from '../records.ts';

const owner = account();
const file = sha256('a gguf file');
const attest = (over: Record<string, unknown> = {}) => ({ model: { ...llamaInfo(), tokenizer: { ...llamaInfo().tokenizer }, tensorTypes: ['F32'] }, fileSize: 4096, ...over });

describe('RegisterBaseModel', () => {
  it('records what the node measured, keyed by the file hash', () => {
    const l = memoryLedger();
    const r = l.act(owner, { type: 'RegisterBaseModel', name: 'tiny-1.0', file: file.toUpperCase().replace('0X', '0x') }, attest());
    expect(r.result).toEqual({ base: file, name: 'tiny-1.0', parameters: 100_000, vocabSize: 300 });
    const rec = findBaseModel(l.state, file)!;
    expect(rec).toMatchObject({ hash: file, name: 'tiny-1.0', fileModelName: 'tiny', fileSize: 4096, owner: owner.id, registeredAt: r.index, time: r.entry.time });
    expect(baseModelInfo(rec)).toEqual(llamaInfo());
  });

  it('refuses a file registered already with 409, naming the first registration', () => {
    const l = memoryLedger();
    const first = l.act(owner, { type: 'RegisterBaseModel', name: 'a', file }, attest()).index;
    expect(l.refusal(() => l.act(account(), { type: 'RegisterBaseModel', name: 'b', file }, attest()))).toMatchObject({
      status: 409,
      field: 'action.file',
      message: `this file is already registered, as base model a (log entry ${first})`,
      details: { registeredAt: first },
    });
  });

  it('refuses a bad name, and a registration without the node’s measurement', () => {
    const l = memoryLedger();
    expect(l.refusal(() => l.act(owner, { type: 'RegisterBaseModel', name: 'Tiny', file }, attest()))).toMatchObject({ status: 400, field: 'action.name' });
    for (const a of [undefined, attest({ model: { ...llamaInfo(), architecture: 'gpt2' } }), attest({ fileSize: 1.5 })])
      expect(l.refusal(() => l.act(owner, { type: 'RegisterBaseModel', name: 'tiny', file }, a))).toMatchObject({ status: 400, field: 'attest.model', message: 'the node must attest what it measured in the file' });
  });
});
