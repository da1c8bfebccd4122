import { describe, expect, it } from 'vitest';
import { CsvError, csvToJsonl, parseCsv } from './csv.ts';

const values = (text: string) => parseCsv(text).map((r) => r.fields.map((f) => f.value));
const lines = (jsonl: string) => jsonl.trimEnd().split('\n').map((l) => JSON.parse(l));

describe('parseCsv', () => {
  it('splits plain fields and records, LF or CRLF, with or without a final line end', () => {
    expect(values('a,b\n1,2')).toEqual([['a', 'b'], ['1', '2']]);
    expect(values('a,b\r\n1,2\r\n')).toEqual([['a', 'b'], ['1', '2']]);
    expect(values('a,,b\n')).toEqual([['a', '', 'b']]);
    expect(values('a,b,\n')).toEqual([['a', 'b', '']]);
  });

  it('handles quotes, doubled quotes, commas and newlines inside quotes', () => {
    const recs = parseCsv('name,quote\r\n"Smith, J.","He said ""hi""\r\nand left"\r\n"",x\r\n');
    expect(recs.map((r) => r.fields.map((f) => f.value))).toEqual([
      ['name', 'quote'],
      ['Smith, J.', 'He said "hi"\r\nand left'],
      ['', 'x'],
    ]);
    expect(recs.map((r) => r.line)).toEqual([1, 2, 4]);
    expect(recs[1].fields[0].quoted).toBe(true);
    expect(recs[2].fields[1].quoted).toBe(false);
  });

  it('skips a byte-order mark', () => {
    expect(values('\uFEFFa\n1\n')).toEqual([['a'], ['1']]);
  });

  it('refuses stray and unclosed quotes, naming the line', () => {
    expect(() => parseCsv('a,b\n1,ab"c\n')).toThrow(/^line 2: a quote inside an unquoted field/);
    expect(() => parseCsv('a\n"x"y\n')).toThrow(/^line 2: unexpected "y" after a closing quote/);
    expect(() => parseCsv('a\n\n"open\nstill')).toThrow(/^line 3: a quoted field is never closed/);
  });
});

describe('csvToJsonl', () => {
  it('uses the header as keys and types unquoted numbers and booleans', () => {
    const { jsonl, records } = csvToJsonl('id,name,score,ok,zip,big,note\n1,Ada,9.5,true,007,12345678901234567890,-3\n2,"Bob",-0.25,FALSE,"42",1.5x,""\n');
    expect(records).toBe(2);
    expect(jsonl.endsWith('\n')).toBe(true);
    expect(lines(jsonl)).toEqual([
      { id: 1, name: 'Ada', score: 9.5, ok: true, zip: '007', big: '12345678901234567890', note: -3 },
      { id: 2, name: 'Bob', score: -0.25, ok: false, zip: '42', big: '1.5x', note: '' },
    ]);
  });

  it('keeps embedded newlines and quotes in values, and skips blank lines', () => {
    const { jsonl } = csvToJsonl('q,a\r\n"line one\r\nline ""two""",yes\r\n\r\n');
    expect(lines(jsonl)).toEqual([{ q: 'line one\r\nline "two"', a: 'yes' }]);
  });

  it('keeps decimals a double cannot hold exactly as strings', () => {
    expect(lines(csvToJsonl('x\n0.1234567890123456789\n0.000123456789012345\n').jsonl)).toEqual([
      { x: '0.1234567890123456789' },
      { x: 0.000123456789012345 },
    ]);
  });

  it('refuses ragged rows, unnamed or repeated columns, and empty input', () => {
    expect(() => csvToJsonl('a,b\n1,2\n3\n')).toThrow(new CsvError(3, 'the record has 1 fields, but the header has 2'));
    expect(() => csvToJsonl('a,,c\n1,2,3\n')).toThrow(/column 2 of the header row has no name/);
    expect(() => csvToJsonl('a,a\n1,2\n')).toThrow(/names column "a" twice/);
    expect(() => csvToJsonl('')).toThrow(/empty/);
    expect(() => csvToJsonl('a,b\n')).toThrow(/no records/);
  });
});
