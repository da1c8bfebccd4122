// CreateDatanet's rules on an in-memory ledger: a unique, well-formed name; a kind and
// policy from the list; a licence; a schema only for JSONL, and one that parses; no
// curator twice. What it records: the datanet, owned by the signer, and empty counts.
import { describe, expect, it } from 'vitest';
import { account, memoryLedger } from '../../../test/fixtures/memoryLedgers.ts';
import { emptyCounts, keys, type DatanetRecord } from '../records.ts';

const owner = account();
const curator = account();
const base = { type: 'CreateDatanet', name: 'poems', description: 'short poems', license: 'CC-BY-4.0', kind: 'text', schema: '', policy: 'curated', curators: [curator.address] };

describe('CreateDatanet', () => {
  it('records the datanet, owned by its signer, with empty counts', () => {
    const l = memoryLedger();
    const r = l.act(owner, base);
    expect(r.result).toEqual({ datanet: 'poems' });
    expect(l.state.get<DatanetRecord>(keys.datanet('poems'))).toEqual({
      name: 'poems',
      description: 'short poems',
      license: 'CC-BY-4.0',
      kind: 'text',
      schema: '',
      policy: 'curated',
      curators: [curator.id],
      owner: owner.id,
      createdAt: r.index,
      time: r.entry.time,
    });
    expect(l.state.get(keys.counts('poems'))).toEqual(emptyCounts());
    expect(r.effects).toEqual([]);
  });

  it('takes a JSONL datanet with a schema that parses', () => {
    const l = memoryLedger();
    l.act(owner, { ...base, kind: 'jsonl', schema: JSON.stringify({ type: 'object', required: ['q'] }) });
    expect(l.state.get<DatanetRecord>(keys.datanet('poems'))!.kind).toBe('jsonl');
  });

  it('refuses a taken name with 409', () => {
    const l = memoryLedger();
    l.act(owner, base);
    expect(l.refusal(() => l.act(account(), base))).toMatchObject({ status: 409, field: 'action.name', message: 'datanet poems already exists' });
  });

  it.each([
    [{ name: 'Poems' }, 'action.name', /lowercase letters, digits or -/],
    [{ name: '-poems' }, 'action.name', /starting with a letter or digit/],
    [{ kind: 'images' }, 'action.kind', /must be "text" or "jsonl"/],
    [{ policy: 'closed' }, 'action.policy', /must be "open" or "curated"/],
    [{ license: '  ' }, 'action.license', /must name a licence/],
    [{ schema: '{}' }, 'action.schema', /a text datanet takes no schema/],
    [{ kind: 'jsonl', schema: '' }, 'action.schema', /needs a JSON Schema/],
    [{ kind: 'jsonl', schema: 'not json' }, 'action.schema', /schema is not JSON/],
    [{ kind: 'jsonl', schema: '[1]' }, 'action.schema', /must be a JSON object/],
    [{ curators: [curator.address, curator.address.toLowerCase()] }, 'action.curators', /lists an account twice/],
  ])('refuses %j with 400 on %s', (over, field, message) => {
    const l = memoryLedger();
    expect(l.refusal(() => l.act(owner, { ...base, ...over }))).toMatchObject({ status: 400, field, message: expect.stringMatching(message) });
  });
});
