import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { artifact, compileContracts, compiledContracts, CONTRACT_NAMES, SolidityCompileError, UnknownContractError, type ContractName } from './compile.ts';

const scratch = mkdtempSync(join(tmpdir(), 'tributary-solc-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A fresh folder holding `files`, compiled with its own cache folder. */
function compileFiles(name: string, files: Record<string, string>) {
  const dir = join(scratch, name);
  const sources = join(dir, 'src');
  mkdirSync(sources, { recursive: true });
  for (const [file, content] of Object.entries(files)) writeFileSync(join(sources, file), content);
  return compileContracts({ sourcesDir: sources, cacheDir: join(dir, 'cache') });
}

const SMALL = `// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;
contract Small { uint256 public x = 1; }
`;

describe('compileContracts', () => {
  it('compiles every contract the node deploys, without warnings', () => {
    const { contracts, warnings, solcVersion } = compiledContracts();
    expect(solcVersion).toMatch(/^0\.8\.37\+commit\./);
    expect(warnings).toEqual([]);
    for (const name of CONTRACT_NAMES) {
      const c = artifact(name);
      expect(c.bytecode).toMatch(/^0x[0-9a-f]{200,}$/);
      expect(c.abi.length).toBeGreaterThan(0);
      expect(contracts[name]).toBe(c);
    }
    expect(artifact('VestingWallet').source).toBe('@openzeppelin/contracts/finance/VestingWallet.sol');
    expect(artifact('PayoutDistributor').source).toBe('contracts/PayoutDistributor.sol');
    const fns = (n: ContractName) => artifact(n).abi.flatMap((x) => (x.type === 'function' ? [x.name] : []));
    expect(fns('PayoutDistributor')).toEqual(expect.arrayContaining(['postRoot', 'claim', 'claimed', 'root', 'epoch', 'setSettler']));
    expect(fns('LogAnchor')).toEqual(expect.arrayContaining(['anchor', 'treeSize', 'logRoot', 'stateRoot']));
    expect(fns('DepositVault')).toEqual(expect.arrayContaining(['deposit', 'depositWithPermit', 'withdraw', 'voucherUsed', 'setVoucherSigner']));
    expect(fns('TributaryToken')).toEqual(expect.arrayContaining(['permit', 'nonces', 'transfer']));
  });

  it('serves a repeated compile from the cache, keyed by the sources', () => {
    const first = compileFiles('cache', { 'Small.sol': SMALL });
    expect(first.fromCache).toBe(false);
    const t0 = performance.now();
    const again = compileFiles('cache', { 'Small.sol': SMALL });
    expect(performance.now() - t0).toBeLessThan(200);
    expect(again.fromCache).toBe(true);
    expect(again.key).toBe(first.key);
    expect(again.contracts).toEqual(first.contracts);
    const changed = compileFiles('cache', { 'Small.sol': SMALL.replace('= 1', '= 2') });
    expect(changed.fromCache).toBe(false);
    expect(changed.key).not.toBe(first.key);
    expect(changed.contracts.Small.bytecode).not.toBe(first.contracts.Small.bytecode);
  });

  it("throws solc's formatted message on a syntax error", () => {
    const broken = () => compileFiles('broken', { 'Broken.sol': SMALL.replace('= 1;', '= 1') });
    expect(broken).toThrow(SolidityCompileError);
    try {
      broken();
    } catch (e) {
      const err = e as SolidityCompileError;
      expect(err.messages).toHaveLength(1);
      // solc's formatted message: the error type, the file and line, and the caret.
      expect(err.message).toMatch(/ParserError: Expected ';'/);
      expect(err.message).toMatch(/contracts\/Broken\.sol:3:/);
    }
  });

  it('reports an import it cannot resolve, naming it', () => {
    const missing = () => compileFiles('imports', { 'A.sol': `pragma solidity ^0.8.24;\nimport "@openzeppelin/contracts/NoSuchFile.sol";\nimport "forge-std/Test.sol";\ncontract A {}\n` });
    expect(missing).toThrow(/NoSuchFile\.sol not found in @openzeppelin\/contracts 5\.7\.0/);
    expect(missing).toThrow(/forge-std\/Test\.sol is neither in contracts\/ nor under @openzeppelin\/contracts\//);
  });

  it('names the contracts it has when asked for one it does not', () => {
    expect(() => artifact('NoSuchContract' as ContractName)).toThrow(UnknownContractError);
    expect(() => artifact('NoSuchContract' as ContractName)).toThrow(/produced: .*PayoutDistributor/);
  });
});
