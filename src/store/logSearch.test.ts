import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openScratchDb } from '../../test/helpers/testDatabase.ts';
import { LogSearch } from './logSearch.ts';

const ALICE = '0x' + 'a1'.repeat(20);
const BOB = '0x' + 'b2'.repeat(20);

/** Ten entries; Alice signs the even ones, Bob is named in entry 7; leaf hashes at level 0. */
async function fixture() {
  const db = await openScratchDb();
  for (let i = 0; i < 10; i++) {
    const data = Buffer.from(JSON.stringify({ index: i, action: { type: 'Note', account: i === 7 ? BOB : '' }, auth: { signer: i % 2 === 0 ? ALICE : '0x' + '00'.repeat(20) } }));
    db.prepare('INSERT INTO entries (idx, data) VALUES (?, ?)').run(i, data);
    db.prepare('INSERT INTO tree (level, idx, hash) VALUES (0, ?, ?)').run(i, createHash('sha256').update(Buffer.concat([Buffer.from([0]), data])).digest());
  }
  return db;
}

describe('LogSearch', () => {
  it('finds an entry by its leaf hash, and nothing for an unknown one', async () => {
    const db = await fixture();
    const s = new LogSearch(db);
    const hash = db.prepare<[], { hash: Buffer }>('SELECT hash FROM tree WHERE level = 0 AND idx = 6').get()!.hash;
    expect(s.leaf(hash)).toBe(6);
    expect(s.leaf(Buffer.alloc(32))).toBeUndefined();
  });

  it('lists mentions newest first, case-insensitively, within its window, and says where to go on', async () => {
    const s = new LogSearch(await fixture(), 4);
    const first = s.mentions(ALICE.toUpperCase().replace('0X', '0x'), 10, 50);
    expect(first.matches.map((m) => m.index)).toEqual([8, 6]);
    expect(first).toMatchObject({ scanned: { from: 6, before: 10 }, next: 6 });
    const rest = s.mentions(ALICE, 6, 50);
    expect(rest.matches.map((m) => m.index)).toEqual([4, 2]);
    const last = s.mentions(ALICE, 2, 50);
    expect(last).toMatchObject({ scanned: { from: 0, before: 2 }, next: null });
    expect(last.matches.map((m) => m.index)).toEqual([0]);
  });

  it('stops at a full page and continues below its last match', async () => {
    const s = new LogSearch(await fixture());
    const page = s.mentions(ALICE, 10, 2);
    expect(page.matches.map((m) => m.index)).toEqual([8, 6]);
    expect(page.next).toBe(6);
    expect(s.mentions(BOB, 10, 2).matches.map((m) => m.index)).toEqual([7]);
  });
});
