import { describe, expect, it } from 'vitest';
import { toCsv } from './csv.ts';

describe('toCsv', () => {
  it('writes a header, CRLF lines, and quotes only what needs it', () => {
    expect(toCsv(['a', 'b'], [{ a: 'x', b: '1' }, { a: 'say "hi", twice', b: 'line\nbreak' }, { a: undefined, b: 0 }])).toBe(
      'a,b\r\nx,1\r\n"say ""hi"", twice","line\nbreak"\r\n,0\r\n',
    );
  });
});
