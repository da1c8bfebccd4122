// Tests of checkpoint.ts against the c2sp.org/tlog-checkpoint example and every malformed body
// that has a second spelling; and of a signed checkpoint end to end with note.ts.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { type CheckpointErrorCode, CheckpointError, formatCheckpoint, parseCheckpoint } from '../nodeLedger/checkpoint.ts';
import { EMPTY_ROOT, hashLeaf } from '../nodeLedger/hasher.ts';
import { formatVerifierKey, openNote, parseVerifierKey, signNote } from '../nodeLedger/note.ts';
import { MemoryHashStore, MerkleTree } from '../nodeLedger/tree.ts';

// The example of c2sp.org/tlog-checkpoint.
const C2SP_BODY = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
const ROOT = Buffer.from('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=', 'base64');

function codeOf(f: () => unknown): CheckpointErrorCode | 'ok' {
  try {
    f();
    return 'ok';
  } catch (e) {
    expect(e).toBeInstanceOf(CheckpointError);
    return (e as CheckpointError).code;
  }
}

describe('checkpoint bodies', () => {
  test('parse the C2SP example', () => {
    const cp = parseCheckpoint(C2SP_BODY);
    expect(cp.origin).toBe('example.com/behind-the-sofa');
    expect(cp.size).toBe(20852163);
    expect(cp.rootHash.equals(ROOT)).toBe(true);
    expect(cp.extensions).toEqual([]);
  });

  test('format the C2SP example byte for byte', () => {
    expect(formatCheckpoint({ origin: 'example.com/behind-the-sofa', size: 20852163, rootHash: ROOT })).toBe(C2SP_BODY);
  });

  test('round-trip extension lines, the empty tree and the largest safe size', () => {
    const input = {
      origin: 'tributary.local/0123456789abcdef',
      size: 0,
      rootHash: EMPTY_ROOT,
      extensions: [`tributary-state ${Buffer.alloc(32, 9).toString('base64')}`, 'another extension'],
    };
    const text = formatCheckpoint(input);
    expect(text).toBe(
      'tributary.local/0123456789abcdef\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n' +
        `tributary-state ${Buffer.alloc(32, 9).toString('base64')}\nanother extension\n`,
    );
    const cp = parseCheckpoint(text);
    expect(cp).toEqual({ ...input, rootHash: Buffer.from(EMPTY_ROOT) });
    const big = formatCheckpoint({ ...input, size: Number.MAX_SAFE_INTEGER, extensions: [] });
    expect(parseCheckpoint(big).size).toBe(Number.MAX_SAFE_INTEGER);
  });

  test('an origin is any non-empty line: clients must not assume it is a URL', () => {
    expect(parseCheckpoint(C2SP_BODY.replace('example.com/behind-the-sofa', 'a log with spaces+plus')).origin).toBe(
      'a log with spaces+plus',
    );
  });
});

describe('parseCheckpoint rejects', () => {
  const lines = C2SP_BODY.split('\n');
  const withLine = (i: number, line: string): string => lines.map((l, j) => (j === i ? line : l)).join('\n');
  test.each([
    ['no final newline', C2SP_BODY.slice(0, -1), 'malformed-checkpoint'],
    ['two lines', 'example.com/log\n5\n', 'malformed-checkpoint'],
    ['an empty text', '', 'malformed-checkpoint'],
    ['an empty origin', withLine(0, ''), 'invalid-origin'],
    ['a carriage return', C2SP_BODY.replace(/\n/g, '\r\n'), 'invalid-origin'],
    ['a leading zero', withLine(1, '020852163'), 'invalid-size'],
    ['a plus sign', withLine(1, '+20852163'), 'invalid-size'],
    ['a negative size', withLine(1, '-1'), 'invalid-size'],
    ['a space in the size', withLine(1, '20852163 '), 'invalid-size'],
    ['a hex size', withLine(1, '0x10'), 'invalid-size'],
    ['an exponent', withLine(1, '1e3'), 'invalid-size'],
    ['a size above 2^53 - 1', withLine(1, '9007199254740992'), 'invalid-size'],
    ['an empty size', withLine(1, ''), 'invalid-size'],
    ['unpadded base64', withLine(2, 'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I'), 'invalid-root-hash'],
    ['URL-safe base64', withLine(2, 'CsUYapGGPo4dkMgIAUqom_Xajj7h2fB2MPA3j2jxq2I='), 'invalid-root-hash'],
    ['non-canonical padding bits', withLine(2, 'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J='), 'invalid-root-hash'],
    ['hex instead of base64', withLine(2, ROOT.toString('hex')), 'invalid-root-hash'],
    ['a 31-byte root', withLine(2, ROOT.subarray(1).toString('base64')), 'invalid-root-hash'],
    ['an empty extension line', `${C2SP_BODY}ext\n\nmore\n`, 'invalid-extension'],
    ['a trailing blank line', `${C2SP_BODY}\n`, 'invalid-extension'],
    ['a control character in an extension', `${C2SP_BODY}a\u0000b\n`, 'invalid-extension'],
  ])('%s', (_, text, code) => {
    expect(codeOf(() => parseCheckpoint(text))).toBe(code);
  });

  test('with messages that say why', () => {
    expect(() => parseCheckpoint(withLine(1, '007'))).toThrowError(
      'tree size "007" is not a decimal number without sign or leading zeros',
    );
    expect(() => parseCheckpoint(withLine(2, ROOT.subarray(1).toString('base64')))).toThrowError(
      'root hash is 31 bytes, want 32',
    );
    expect(() => parseCheckpoint(`${C2SP_BODY}ext\n\n`)).toThrowError('extension line 2 is empty');
    expect(() => parseCheckpoint('a\nb\n')).toThrowError('checkpoint has 2 lines, want at least 3');
  });
});

describe('formatCheckpoint rejects', () => {
  const base = { origin: 'example.com/log', size: 5, rootHash: ROOT };
  test.each([
    ['an empty origin', { ...base, origin: '' }, 'invalid-origin'],
    ['a newline in the origin', { ...base, origin: 'a\nb' }, 'invalid-origin'],
    ['a negative size', { ...base, size: -1 }, 'invalid-size'],
    ['a fractional size', { ...base, size: 1.5 }, 'invalid-size'],
    ['an unsafe size', { ...base, size: 2 ** 53 }, 'invalid-size'],
    ['a 33-byte root', { ...base, rootHash: Buffer.alloc(33) }, 'invalid-root-hash'],
    ['an empty extension', { ...base, extensions: [''] }, 'invalid-extension'],
    ['a multi-line extension', { ...base, extensions: ['a\nb'] }, 'invalid-extension'],
  ])('%s', (_, input, code) => {
    expect(codeOf(() => formatCheckpoint(input))).toBe(code);
  });
});

describe('signed checkpoints', () => {
  test('sign, open and parse a checkpoint of a real tree', () => {
    const tree = new MerkleTree(new MemoryHashStore(), 0);
    for (let i = 0; i < 11; i += 1) tree.append(hashLeaf(Buffer.from(`entry ${i}`)));
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const origin = 'tributary.test/log';
    const body = formatCheckpoint({ origin, size: tree.size, rootHash: tree.root(), extensions: ['tributary-state AAAA'] });
    const note = signNote(body, origin, privateKey);
    const verifier = parseVerifierKey(formatVerifierKey(origin, publicKey));
    const cp = parseCheckpoint(openNote(note, verifier));
    expect(cp.size).toBe(11);
    expect(cp.rootHash.equals(tree.root())).toBe(true);
    expect(cp.extensions).toEqual(['tributary-state AAAA']);
  });
});
