import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CliError } from './errors.ts';
import { KnownNodes, keyName, nodeId } from './pins.ts';

const KEY_A = 'log.example/a+0a0b0c0d+AQAA';
const KEY_B = 'log.example/a+01020304+AQBB';

describe('KnownNodes', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('pins on first contact, accepts the same key, refuses a changed one without overwriting it', () => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-pins-'));
    const known = new KnownNodes(join(dir, 'sub', 'nodes.json'));
    expect(known.check('http://127.0.0.1:8790/', KEY_A)).toEqual({ firstContact: true });
    expect(statSync(join(dir, 'sub')).mode & 0o777).toBe(0o700);
    expect(known.check('http://127.0.0.1:8790', KEY_A)).toEqual({ firstContact: false });
    expect(() => known.check('http://127.0.0.1:8790', KEY_B)).toThrow(CliError);
    expect(() => known.check('http://127.0.0.1:8790', KEY_B)).toThrow(/KEY HAS CHANGED/);
    expect(known.get('http://127.0.0.1:8790')?.verifierKey).toBe(KEY_A);
    expect(JSON.parse(readFileSync(known.path, 'utf8')).nodes['http://127.0.0.1:8790'].verifierKey).toBe(KEY_A);
  });

  it('finds pins by the log origin a receipt names', () => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-pins-'));
    const known = new KnownNodes(join(dir, 'nodes.json'));
    known.check('http://a:1', KEY_A);
    known.check('http://b:2', 'other+0a0b0c0d+AQCC');
    expect(known.byOrigin('log.example/a').map((m) => m.url)).toEqual(['http://a:1']);
    expect(known.byOrigin('nobody')).toEqual([]);
  });

  it('normalises node URLs and refuses what is not one', () => {
    expect(nodeId('http://Host:8790/')).toBe('http://host:8790');
    expect(nodeId('https://x.example/api//')).toBe('https://x.example/api');
    expect(() => nodeId('localhost:8790')).toThrow(/must be http/);
    expect(() => nodeId('not a url')).toThrow(/is not a URL/);
    expect(keyName(KEY_A)).toBe('log.example/a');
  });
});
