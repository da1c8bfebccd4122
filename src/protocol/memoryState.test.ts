// The in-memory state reads as the database-backed one does: prefixes list in UTF-8 byte
// order (SQLite's BINARY collation), deletes remove, every read is a fresh copy, and the
// state hash follows every write, back to the empty root when everything is deleted.
import { describe, expect, it } from 'vitest';
import { compareUtf8, MemoryState } from './memoryState.ts';
import { StateHash } from './stateRoot.ts';

describe('MemoryState', () => {
  it('lists a prefix in UTF-8 byte order', () => {
    const s = new MemoryState();
    // U+FFFF is EF BF BF in UTF-8, below F0 9F 98 80 (U+1F600); in UTF-16 units it sorts after.
    s.write([{ key: 'k/\u{1F600}', value: 3 }, { key: 'k/\uffff', value: 2 }, { key: 'k/a', value: 1 }, { key: 'j/a', value: 0 }, { key: 'k', value: 9 }]);
    expect(s.list('k/')).toEqual([['k/a', 1], ['k/\uffff', 2], ['k/\u{1F600}', 3]]);
    expect(['k/\u{1F600}', 'k/\uffff'].sort(compareUtf8)).toEqual(['k/\uffff', 'k/\u{1F600}']);
    expect(Buffer.compare(Buffer.from('\uffff'), Buffer.from('\u{1F600}'))).toBe(-1);
  });

  it('hands out copies, so a reader cannot change state', () => {
    const s = new MemoryState();
    s.write([{ key: 'r', value: { n: 1 } }]);
    s.get<{ n: number }>('r')!.n = 2;
    s.list<{ n: number }>('')[0][1].n = 3;
    expect(s.get('r')).toEqual({ n: 1 });
  });

  it('keeps the state hash of what it holds', () => {
    const s = new MemoryState();
    const empty = new StateHash().root().toString('hex');
    s.write([{ key: 'a', value: 1 }, { key: 'b', value: 'x' }]);
    s.write([{ key: 'a', value: 2 }]);
    const h = new StateHash();
    h.add('a', 2);
    h.add('b', 'x');
    expect(s.hash.root().toString('hex')).toBe(h.root().toString('hex'));
    s.write([{ key: 'a', value: null }, { key: 'b', value: null }]);
    expect(s.size).toBe(0);
    expect(s.get('a')).toBeUndefined();
    expect(s.hash.root().toString('hex')).toBe(empty);
  });
});
