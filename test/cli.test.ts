// End-to-end tests of the `tributary` command: a real node in this process, and the real
// CLI (bin/tributary.js) run as child processes with HOME and the keystore in a temp
// directory. Spawns are asynchronous, because the node answering them shares this event
// loop; each costs ~0.5 s, so every call here checks several things at once.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Run, runCli } from './helpers/runCli.ts';
import { startTestNode, type TestNode } from './helpers/testNode.ts';



describe('tributary CLI against a real node', () => {
  let t: TestNode;
  let dir: string;
  let ks: string;

  /** Runs the CLI with --node and --keystore pointing at the test node and temp dir. */
  const cli = (args: string[], env: Record<string, string> = {}): Promise<Run> => runCli(t.url, ks, dir, args, env);
  const json = (r: Run) => {
    expect(r.stderr).not.toMatch(/^\s+at /m);
    return JSON.parse(r.stdout);
  };
  const file = (name: string, content: string | Buffer) => {
    const p = join(dir, name);
    writeFileSync(p, content);
    return p;
  };
  const sha = (b: Buffer) => '0x' + createHash('sha256').update(b).digest('hex');

  // Shared across the steps below, which run in order.
  let alice = '';
  let bob = '';
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    t = await startTestNode();
    dir = mkdtempSync(join(tmpdir(), 'tributary-cli-'));
    ks = join(dir, 'keys', 'ks.json');
  });
  afterAll(async () => {
    await t?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('account new / list: a 0600 keystore in a 0700 directory, first account signs by default', async () => {
    const a = await cli(['account', 'new', '--name', 'alice']);
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(/created account alice\s+0x[0-9a-f]{40}/);
    expect(a.stdout).toMatch(/UNENCRYPTED/);
    const b = json(await cli(['account', 'new', '--name', 'bob', '--json']));
    bob = b.address;
    expect(statSync(ks).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'keys')).mode & 0o777).toBe(0o700);
    const list = json(await cli(['account', 'list', '--json']));
    expect(list.accounts.map((x: { name: string }) => x.name)).toEqual(['alice', 'bob']);
    expect(list.accounts[0].default).toBe(true);
    alice = list.accounts[0].address;
    expect(list.accounts[1].address).toBe(bob);
    expect(JSON.stringify(list)).not.toMatch(/privateKey/);
    const stored = JSON.parse(readFileSync(ks, 'utf8'));
    expect(stored.accounts[0]).toMatchObject({ name: 'alice', address: alice, privateKey: expect.stringMatching(/^0x[0-9a-f]{64}$/) });
  });

  it('datanet create / list: text and jsonl (with a schema), receipts saved', async () => {
    const created = await cli(['datanet', 'create', 'poems', '--license', 'CC-BY-4.0', '--description', 'short poems', '--policy', 'curated', '--receipt', 'create.json']);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/created datanet poems \(text, curated\)/);
    expect(created.stdout).toMatch(/log index\s+1\n\s+leaf hash\s+[0-9a-f]{64}/);
    // First contact pins the node's key next to the keystore.
    expect(created.stderr).toMatch(/pinned the verifier key/);
    const pins = JSON.parse(readFileSync(join(dir, 'keys', 'nodes.json'), 'utf8'));
    expect(pins.nodes[t.url].verifierKey).toBe(await t.client.verifierKey());

    const schema = file('schema.json', JSON.stringify({ type: 'object', properties: { q: { type: 'string' }, n: { type: 'number' }, ok: { type: 'boolean' } }, required: ['q'] }));
    const qa = json(await cli(['datanet', 'create', 'qa', '--license', 'MIT', '--schema', schema, '--json']));
    expect(qa).toMatchObject({ datanet: 'qa', kind: 'jsonl', policy: 'open', index: 2 });

    const list = json(await cli(['datanet', 'list', '--json']));
    expect(list.datanets.map((d: { name: string; kind: string }) => `${d.name}:${d.kind}`)).toEqual(['poems:text', 'qa:jsonl']);
    expect(list.datanets[0].owner).toBe(alice);
  });

  let big: Buffer;
  it('contribute .txt, .md, .csv and a >1 MiB file (staged, with progress), going on past a failure', async () => {
    big = Buffer.from(randomBytes(900 * 1024).toString('base64')); // ~1.2 MB of text
    const files = [
      file('river.txt', 'the river runs to the sea\n'),
      file('notes.md', '# Notes\n\nA *tributary* joins a river.\n'),
      file('table.csv', 'a,b\n1,"x, y"\n'),
      join(dir, 'missing.txt'),
      file('big.txt', big),
    ];
    const r = await cli(['contribute', 'poems', ...files, '--from', 'bob', '--progress', '--receipt', 'contrib.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: .*missing\.txt: cannot read the file/);
    expect(r.stdout).toMatch(/river\.txt: contribution \d+, pending/);
    expect(r.stdout).toMatch(/big\.txt: contribution \d+, pending \(staged 1\.\d MiB\)/);
    expect(r.stdout).toMatch(/4 of 5 files contributed to poems; 1 failed/);
    // The progress bar goes to stderr only, and shows bytes sent.
    expect(r.stderr).toMatch(/big\.txt \[#+\] 100% 1\.\d\/1\.\d MiB/);
    expect(r.stdout).not.toMatch(/MiB\]/);

    const contribs = await t.client.contributions('poems');
    for (const c of contribs) ids[c.fileName] = c.id;
    expect(contribs.map((c) => [c.fileName, c.author, c.mediaType])).toEqual([
      ['river.txt', bob, 'text/plain'],
      ['notes.md', bob, 'text/markdown'],
      ['table.csv', bob, 'text/csv'],
      ['big.txt', bob, 'text/plain'],
    ]);
    const stored = await t.client.content(ids['big.txt']);
    expect(stored.length).toBe(big.length);
    expect(stored.equals(big)).toBe(true);
    expect(contribs[3].contentHash).toBe(sha(big));
    const receipts = JSON.parse(readFileSync(join(dir, 'contrib.json'), 'utf8'));
    expect(receipts).toHaveLength(4);
  });

  it('contribute to a jsonl datanet: .jsonl as is, .csv converted to JSONL', async () => {
    const csv = file('facts.csv', 'q,n,ok\r\n"Where does the ""Rhine""\r\nrise?",1,true\r\nHow long?,1230.5,FALSE\r\n');
    const jsonl = file('more.jsonl', '{"q":"Which sea?","n":2}\n');
    const r = json(await cli(['contribute', 'qa', csv, jsonl, '--json']));
    expect(r.ok).toBe(true);
    expect(r.results.map((x: { fileName: string; status: string }) => [x.fileName, x.status])).toEqual([
      ['facts.jsonl', 'accepted'],
      ['more.jsonl', 'accepted'],
    ]);
    const converted = (await t.client.content(r.results[0].contribution)).toString('utf8');
    expect(converted.trimEnd().split('\n').map((l) => JSON.parse(l))).toEqual([
      { q: 'Where does the "Rhine"\r\nrise?', n: 1, ok: true },
      { q: 'How long?', n: 1230.5, ok: false },
    ]);
    expect(r.results[0].index).toBe(r.results[0].contribution);
    expect(r.results[0].leafHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('curate: the owner accepts; a non-curator is refused, naming the signer field', async () => {
    const ok = await cli(['curate', String(ids['river.txt']), 'accept', '--reason', 'lovely']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(new RegExp(`contribution ${ids['river.txt']} is now accepted\\n\\s+log index\\s+\\d+\\n\\s+leaf hash\\s+[0-9a-f]{64}`));
    const refused = await cli(['curate', String(ids['notes.md']), 'accept', '--from', bob]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: .*is not a curator of poems.* \(field signer, HTTP 403\)$/m);
    expect(refused.stderr).not.toMatch(/^\s+at /m);
    expect((await t.client.contribution(ids['notes.md'])).status).toBe('pending');
  });

  it('snapshot, datanet show, optout', async () => {
    const snap = await cli(['snapshot', 'poems', '--receipt', 'snap.json']);
    expect(snap.code).toBe(0);
    expect(snap.stdout).toMatch(/poems version 1: 1 accepted contributions\n\s+root\s+0x[0-9a-f]{64}/);

    const show = json(await cli(['datanet', 'show', 'poems', '--json', '--limit', '2']));
    expect(show.counts).toMatchObject({ accepted: 1, pending: 3, snapshots: 1 });
    expect(show.snapshots).toHaveLength(1);
    expect(show.latestContributions.map((c: { fileName: string }) => c.fileName)).toEqual(['big.txt', 'table.csv']);
    const prose = await cli(['datanet', 'show', 'poems']);
    expect(prose.stdout).toMatch(/1 accepted, 3 pending, 0 rejected, 0 withdrawn/);
    expect(prose.stdout).toMatch(/latest contributions/);

    const out = await cli(['optout', String(ids['river.txt']), '--reason', 'changed my mind', '--from', 'bob']);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/withdrawn/);
    await expect(t.client.content(ids['river.txt'])).rejects.toMatchObject({ status: 410 });
  });

  it('log checkpoint, log proof, log consistency: checked against the signed checkpoint', async () => {
    const cp = json(await cli(['log', 'checkpoint', '--json']));
    const note = await t.client.checkpoint();
    expect(cp.note).toBe(note);
    expect(cp.size).toBe(Number(note.split('\n')[1]));
    expect(cp.rootHash).toBe(Buffer.from(note.split('\n')[2], 'base64').toString('hex'));
    expect(cp.stateRoot).toMatch(/^[0-9a-f]{64}$/);
    const prose = await cli(['log', 'checkpoint']);
    expect(prose.stdout).toContain(note.trimEnd());
    expect(prose.stdout).toMatch(/size\s+\d+\nroot\s+[0-9a-f]{64}\nstate root\s+[0-9a-f]{64}/);

    const proof = await cli(['log', 'proof', '3', '--size', '6']);
    expect(proof.code).toBe(0);
    expect(proof.stdout).toMatch(/inclusion proof of entry 3 in the tree of size 6/);
    expect(proof.stdout).toContain((await t.client.entry(3)).leafHash);
    expect(proof.stdout).toMatch(/verified against the checkpoint of size \d+ \(root of size 6 proven consistent with it\)/);

    const cons = json(await cli(['log', 'consistency', '3', '7', '--json']));
    expect(cons).toMatchObject({ from: 3, to: 7, verified: true });
    expect(cons.hashes).toEqual((await t.client.consistencyProof(3, 7)).hashes);
  });

  it('receipt verify: saved receipts check out offline; a tampered entry fails', async () => {
    const one = await cli(['receipt', 'verify', 'create.json']);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/receipt OK: entry 1 is in the log .* at tree size \d+\n\s+action\s+CreateDatanet by 0x/);
    const many = json(await cli(['receipt', 'verify', 'contrib.json', '--key', await t.client.verifierKey(), '--json']));
    expect(many.receipts).toHaveLength(4);

    const receipt = JSON.parse(readFileSync(join(dir, 'snap.json'), 'utf8'));
    const entry = Buffer.from(receipt.entry, 'base64');
    entry[entry.length >> 1] ^= 0x01;
    writeFileSync(join(dir, 'tampered.json'), JSON.stringify({ ...receipt, entry: entry.toString('base64') }));
    const bad = await cli(['receipt', 'verify', 'tampered.json']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: receipt does not verify: leaf hash mismatch/m);
  });

  it('verify replays the node and passes', async () => {
    const r = json(await cli(['verify', '--json']));
    expect(r).toMatchObject({ ok: true, size: t.node.size });
  });

  it('errors: bad usage exits 2, an unreachable node says how to start one, a changed node key is refused', async () => {
    const usage = await cli(['curate', '5', 'maybe']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/Allowed choices are accept, reject/);

    const port = await new Promise<number>((done) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => done(p));
      });
    });
    // A later --node overrides the one cli() puts first.
    const down = await cli(['datanet', 'list', '--node', `http://127.0.0.1:${port}`]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/cannot reach the node/);
    expect(down.stderr).toMatch(/tributary start/);

    const pinsPath = join(dir, 'keys', 'nodes.json');
    const pins = readFileSync(pinsPath, 'utf8');
    const other = JSON.parse(pins);
    other.nodes[t.url].verifierKey = 'other+00000000+AQ==';
    writeFileSync(pinsPath, JSON.stringify(other));
    const changed = await cli(['snapshot', 'poems']);
    writeFileSync(pinsPath, pins);
    expect(changed.code).toBe(1);
    expect(changed.stderr).toMatch(/KEY HAS CHANGED/);
    expect((await t.client.datanet('poems')).counts.snapshots).toBe(1);
  });
});
