import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Keystore } from './keystore.ts';

describe('Keystore', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates accounts in a 0600 file, re-chmods on write, resolves by name or address', () => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-ks-'));
    const path = join(dir, 'ks', 'keystore.json');
    const ks = Keystore.load(path);
    const a = ks.create('alice');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    chmodSync(path, 0o644);
    const b = Keystore.load(path).create();
    expect(b.name).toBe('account2');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const again = Keystore.load(path);
    expect(again.resolve().address).toBe(a.address);
    expect(again.resolve(b.address.toUpperCase().replace('0X', '0x')).name).toBe('account2');
    expect(again.signer('alice').signer.address).toBe(a.address);
    expect(() => again.resolve('carol')).toThrow(/no account carol/);
    expect(() => again.create('alice')).toThrow(/already an account named alice/);
    expect(() => again.create('0x' + '1'.repeat(40))).toThrow(/must not look like an address/);
  });

  it('refuses a hand-edited address that its key does not derive', () => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-ks-'));
    const path = join(dir, 'keystore.json');
    Keystore.load(path).create('alice');
    const file = JSON.parse(readFileSync(path, 'utf8'));
    file.accounts[0].address = '0x' + '2'.repeat(40);
    writeFileSync(path, JSON.stringify(file), { mode: 0o600 });
    expect(() => Keystore.load(path)).toThrow(/but its key belongs to 0x/);
  });

  it('says how to make an account when there is none', () => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-ks-'));
    expect(() => Keystore.load(join(dir, 'none.json')).resolve()).toThrow(/no accounts in/);
  });
});
