import { describe, expect, it } from 'vitest';
import { createHooks, createProtocol } from './actions.ts';

describe('action hooks', () => {
  const protocol = createProtocol();

  it('registers the node-side hooks of every type that has any, each under a type the protocol defines', () => {
    const hooks = createHooks(protocol);
    expect([...hooks.keys()].sort()).toEqual(
      ['CancelTrainingJob', 'CompleteTrainingJob', 'Contribute', 'CreateDatanet', 'Curate', 'OptOut', 'RegisterBaseModel', 'RegisterModel', 'Snapshot', 'Withdraw'].sort(),
    );
    const known = new Set(protocol.definitions().map((d) => d.type));
    for (const type of hooks.keys()) expect(known.has(type)).toBe(true);
    // Only Contribute takes content bytes beside its message.
    expect([...hooks.values()].filter((h) => h.contentHash).map((h) => h.type)).toEqual(['Contribute']);
  });

  it('refuses, at start, hooks for a type the protocol does not define, and two sets for one type', () => {
    expect(() => createHooks(protocol, [{ type: 'Contribtue' }])).toThrow('node hooks for action type Contribtue, which the protocol does not define');
    expect(() => createHooks(protocol, [{ type: 'Contribute' }, { type: 'Contribute' }])).toThrow('two sets of node hooks for action type Contribute');
  });
});
