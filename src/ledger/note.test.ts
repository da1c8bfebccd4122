// Tests of note.ts against Go's golang.org/x/mod/sumdb/note example keys and notes, byte for
// byte, and against every malformed or forged note we can think of. Fixed vectors only.
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import {
  ed25519PrivateKeyFromSeed,
  ed25519PublicKeyFromRaw,
  ed25519RawPublicKey,
  formatVerifierKey,
  NoteError,
  type NoteErrorCode,
  noteKeyId,
  openNote,
  parseVerifierKey,
  signNote,
} from '../nodeLedger/note.ts';

// The published example of golang.org/x/mod/sumdb/note (note.go's package documentation
// and note_test.go). Ed25519 is deterministic, so signing must reproduce it byte for byte.
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG = '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const ENOCH_SIG =
  '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';
const PETER_NOTE = `${TEXT}\n${PETER_SIG}`;

/** Go's signer key: PRIVATE+KEY+<name>+<id>+base64(0x01 ‖ 32-byte seed). */
function peterPrivateKey() {
  const data = Buffer.from(PETER_SKEY.split('+').slice(4).join('+'), 'base64');
  expect(data[0]).toBe(0x01);
  return ed25519PrivateKeyFromSeed(data.subarray(1));
}

function codeOf(f: () => unknown): NoteErrorCode | 'ok' {
  try {
    f();
    return 'ok';
  } catch (e) {
    expect(e).toBeInstanceOf(NoteError);
    return (e as NoteError).code;
  }
}

function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(NoteError);
    return (e as Error).message;
  }
  throw new Error('expected a NoteError');
}

describe('the Go sumdb note vector', () => {
  const peter = parseVerifierKey(PETER_VKEY);
  const enoch = parseVerifierKey(ENOCH_VKEY);

  test('parses the verifier key', () => {
    expect(peter.name).toBe('PeterNeumann');
    expect(peter.keyId).toBe(0xc74f20a3);
    expect(ed25519PublicKeyFromRaw(peter.publicKey).asymmetricKeyType).toBe('ed25519');
    expect(enoch.keyId).toBe(0xaf0cfe78);
  });

  test('derives the same verifier key and key id from the private key', () => {
    const priv = peterPrivateKey();
    expect(formatVerifierKey('PeterNeumann', createPublicKey(priv))).toBe(PETER_VKEY);
    expect(formatVerifierKey('PeterNeumann', priv)).toBe(PETER_VKEY);
    expect(noteKeyId('PeterNeumann', priv)).toBe(0xc74f20a3);
  });

  test('signing reproduces the published note byte for byte', () => {
    expect(signNote(TEXT, 'PeterNeumann', peterPrivateKey())).toBe(PETER_NOTE);
  });

  test('EnochRoot is the key of the all-zero seed, and its signature matches too', () => {
    const zero = ed25519PrivateKeyFromSeed(Buffer.alloc(32));
    expect(formatVerifierKey('EnochRoot', zero)).toBe(ENOCH_VKEY);
    expect(signNote(TEXT, 'EnochRoot', zero)).toBe(`${TEXT}\n${ENOCH_SIG}`);
  });

  test('opens the published note', () => {
    expect(openNote(PETER_NOTE, peter)).toBe(TEXT);
    expect(openNote(Buffer.from(PETER_NOTE, 'utf8'), [peter])).toBe(TEXT);
  });

  test('a doubly-signed note opens with either key, ignoring the unknown one', () => {
    const both = `${TEXT}\n${PETER_SIG}${ENOCH_SIG}`;
    expect(openNote(both, [peter, enoch])).toBe(TEXT);
    expect(openNote(both, peter)).toBe(TEXT);
    expect(openNote(both, enoch)).toBe(TEXT);
  });

  test('a repeated signature line is checked once', () => {
    expect(openNote(`${TEXT}\n${PETER_SIG}${PETER_SIG}`, peter)).toBe(TEXT);
  });
});

describe('openNote rejects', () => {
  const peter = parseVerifierKey(PETER_VKEY);
  const enoch = parseVerifierKey(ENOCH_VKEY);
  const cases: [string, string | Uint8Array, NoteErrorCode][] = [
    ['a changed text', PETER_NOTE.replace('problem,', 'problem;'), 'bad-signature'],
    ['a flipped signature bit', PETER_NOTE.replace('SffcvIAQ', 'SffcvIAR'), 'bad-signature'],
    ['a trusted key failing beside a valid one', `${TEXT}\n${ENOCH_SIG}${PETER_SIG.replace('SffcvIAQ', 'SffcvIAR')}`, 'bad-signature'],
    ['a signature by an unknown key only', `${TEXT}\n${ENOCH_SIG}`, 'unknown-key'],
    ['a known name with another key id', `${TEXT}\n— PeterNeumann ${Buffer.alloc(68, 7).toString('base64')}\n`, 'unknown-key'],
    ['no blank line', `${TEXT}${PETER_SIG}`, 'malformed-note'],
    ['no signature lines', `${TEXT}\n`, 'malformed-note'],
    ['no final newline', PETER_NOTE.slice(0, -1), 'malformed-note'],
    ['a trailing blank line', `${PETER_NOTE}\n`, 'malformed-note'],
    ['a hyphen for the em dash', PETER_NOTE.replace('— ', '- '), 'malformed-note'],
    ['no space before the signature', PETER_NOTE.replace('PeterNeumann x08', 'PeterNeumannx08'), 'malformed-note'],
    ['two spaces before the signature', PETER_NOTE.replace('PeterNeumann x08', 'PeterNeumann  x08'), 'malformed-note'],
    ['unpadded base64', PETER_NOTE.replace('JnAM=\n', 'JnAM\n'), 'malformed-note'],
    ['URL-safe base64', PETER_NOTE.replace('x08go/', 'x08go_'), 'malformed-note'],
    ['a signature too short for a key id', `${TEXT}\n— PeterNeumann AAAA\n`, 'malformed-note'],
    ['a name with a plus', `${TEXT}\n— Peter+Neumann ${Buffer.alloc(68).toString('base64')}\n`, 'malformed-note'],
    ['a carriage return', PETER_NOTE.replace('\n', '\r\n'), 'malformed-note'],
    ['a tab in the text', PETER_NOTE.replace(' you', '\tyou'), 'malformed-note'],
    ['invalid UTF-8', Buffer.concat([Buffer.from([0xff]), Buffer.from(PETER_NOTE)]), 'malformed-note'],
    ['an unpaired surrogate', `\ud800${PETER_NOTE}`, 'malformed-note'],
    ['101 signatures', `${TEXT}\n${ENOCH_SIG.repeat(100)}${PETER_SIG}`, 'malformed-note'],
  ];

  test.each(cases)('%s', (_, note, code) => {
    expect(codeOf(() => openNote(note, [peter]))).toBe(code);
  });

  test('messages say what is wrong', () => {
    expect(messageOf(() => openNote(PETER_NOTE.replace('problem,', 'problem;'), peter))).toBe(
      'signature by PeterNeumann+c74f20a3 does not verify',
    );
    expect(messageOf(() => openNote(`${TEXT}\n${ENOCH_SIG}`, peter))).toBe(
      'note has no signature by a trusted key (signed by EnochRoot+af0cfe78; trusted: PeterNeumann+c74f20a3)',
    );
    expect(messageOf(() => openNote(PETER_NOTE.replace('\n', '\r\n'), peter))).toBe(
      'note holds control character U+000D at offset 56',
    );
    expect(messageOf(() => openNote(`${TEXT}${PETER_SIG}`, peter))).toBe('note has no blank line before its signatures');
  });

  test('two different trusted keys with one name and key id', () => {
    const impostor = { ...peter, publicKey: enoch.publicKey };
    expect(codeOf(() => openNote(PETER_NOTE, [peter, impostor]))).toBe('ambiguous-key');
    expect(openNote(PETER_NOTE, [peter, { ...peter }])).toBe(TEXT);
  });

  test('the 16 signatures the spec requires are accepted', () => {
    expect(openNote(`${TEXT}\n${ENOCH_SIG.repeat(15)}${PETER_SIG}`, peter)).toBe(TEXT);
  });
});

describe('text with blank lines of its own', () => {
  test('signs and opens at the last blank line', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const v = parseVerifierKey(formatVerifierKey('example.com/log', publicKey));
    for (const text of ['\n', 'a\n\nb\n', 'a\n\n\n', '— looks like a signature\n\n']) {
      expect(openNote(signNote(text, 'example.com/log', privateKey), v)).toBe(text);
    }
  });
});

describe('parseVerifierKey rejects', () => {
  test.each([
    ['a wrong key length', 'PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=='],
    ['a key id that does not match', 'PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'],
    ['an upper-case key id', 'PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'],
    ['a short key id', 'PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'],
    ['a space in the name', 'Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'],
    ['an empty name', '+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'],
    ['a missing key', 'PeterNeumann+c74f20a3'],
    ['empty key data', 'PeterNeumann+c74f20a3+'],
    ['bad base64', 'PeterNeumann+c74f20a3+!!!!'],
    ['an unknown signature type', 'PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'],
    ['trailing junk', `${PETER_VKEY}\n`],
  ])('%s', (_, key) => {
    expect(codeOf(() => parseVerifierKey(key))).toBe('malformed-key');
  });

  test('with messages that say why', () => {
    expect(messageOf(() => parseVerifierKey('PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'))).toBe(
      'verifier key id c74f20a4 does not match its name and key (computed c74f20a3)',
    );
    expect(messageOf(() => parseVerifierKey('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'))).toBe(
      'verifier key has signature type 0x65; only Ed25519 (0x01) is supported',
    );
  });
});

describe('signNote rejects', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  test.each([
    ['text without a final newline', () => signNote('abc', 'n', privateKey), 'invalid-text'],
    ['empty text', () => signNote('', 'n', privateKey), 'invalid-text'],
    ['text with a control character', () => signNote('a\u0007b\n', 'n', privateKey), 'invalid-text'],
    ['text with an unpaired surrogate', () => signNote('\udc00\n', 'n', privateKey), 'invalid-text'],
    ['an empty name', () => signNote('a\n', '', privateKey), 'invalid-name'],
    ['a name with a space', () => signNote('a\n', 'a b', privateKey), 'invalid-name'],
    ['a name with a no-break space', () => signNote('a\n', 'a\u00a0b', privateKey), 'invalid-name'],
    ['a name with a plus', () => signNote('a\n', 'a+b', privateKey), 'invalid-name'],
    ['a public key', () => signNote('a\n', 'n', publicKey), 'invalid-key'],
    ['an RSA key', () => signNote('a\n', 'n', generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey), 'invalid-key'],
  ] as const)('%s', (_, f, code) => {
    expect(codeOf(f)).toBe(code);
  });
});

describe('raw Ed25519 keys', () => {
  test('round-trip through KeyObjects', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const raw = ed25519RawPublicKey(publicKey);
    expect(raw).toHaveLength(32);
    expect(ed25519RawPublicKey(privateKey).equals(raw)).toBe(true);
    expect(ed25519PublicKeyFromRaw(raw).equals(publicKey)).toBe(true);
    expect(publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).equals(raw)).toBe(true);
  });

  test('reject wrong lengths', () => {
    expect(codeOf(() => ed25519PublicKeyFromRaw(Buffer.alloc(31)))).toBe('invalid-key');
    expect(codeOf(() => ed25519PrivateKeyFromSeed(Buffer.alloc(33)))).toBe('invalid-key');
  });
});
