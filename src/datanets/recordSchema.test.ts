import { describe, expect, it } from 'vitest';
import { compileRecordSchema, jsonlProblem, MAX_SCHEMA_DEPTH, MAX_SCHEMA_NODES, parseRecordSchema, RecordSchemaError } from './recordSchema.ts';

const schema = (s: object) => JSON.stringify(s);

describe('record schemas run their patterns on RE2', () => {
  it('checks a catastrophic-backtracking pattern in linear time', () => {
    // On a backtracking engine ^(a+)+$ against 60 a's and a "!" takes longer than the age of
    // the universe; on RE2 it answers at once, so this test finishing is the check.
    const s = schema({ type: 'object', properties: { name: { type: 'string', pattern: '^(a+)+$' } } });
    const evil = 'a'.repeat(60) + '!';
    expect(jsonlProblem(JSON.stringify({ name: evil }), s)).toBe('line 1: /name must match pattern "^(a+)+$"');
    expect(jsonlProblem(JSON.stringify({ name: 'aaaa' }), s)).toBeUndefined();
  });

  it('runs patternProperties and propertyNames on RE2 too', () => {
    const s = schema({ type: 'object', patternProperties: { '^(x+)+$': { type: 'integer' } }, propertyNames: { pattern: '^(x+)+$|^ok$' } });
    expect(jsonlProblem(JSON.stringify({ xxx: 1, ok: 'yes' }), s)).toBeUndefined();
    expect(jsonlProblem(JSON.stringify({ xxx: 'one' }), s)).toBe('line 1: /xxx must be integer');
    expect(jsonlProblem(JSON.stringify({ ['x'.repeat(60) + '!']: 1 }), s)).toMatch(/^line 1: \(record\) must match pattern/);
  });

  it('keeps Unicode classes working', () => {
    const s = schema({ type: 'string', pattern: '^\\p{L}+$' });
    expect(jsonlProblem('"héllo"', s)).toBeUndefined();
    expect(jsonlProblem('"h3llo"', s)).toMatch(/must match pattern/);
  });

  it.each([
    ['a backreference', '^(a)\\1$'],
    ['a lookahead', '^(?=a)a$'],
    ['a negative lookbehind', '(?<!a)b'],
  ])('refuses %s when the schema is compiled, naming the pattern', (_, pattern) => {
    const s = schema({ type: 'object', properties: { name: { type: 'string', pattern } } });
    expect(() => compileRecordSchema(s)).toThrow(RecordSchemaError);
    expect(() => compileRecordSchema(s)).toThrow(`pattern ${JSON.stringify(pattern)} cannot run on RE2`);
  });

  it('refuses such a pattern in patternProperties as well', () => {
    expect(() => compileRecordSchema(schema({ patternProperties: { '(?=k)': { type: 'integer' } } }))).toThrow(/cannot run on RE2/);
  });
});

describe('the cheap checks apply runs', () => {
  it('bounds how much a schema holds, and how deep', () => {
    const props = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i}`, { type: 'string' }]));
    // The root, its properties object, and one object per property.
    expect(() => parseRecordSchema(schema({ type: 'object', properties: props(MAX_SCHEMA_NODES - 2) }))).not.toThrow();
    expect(() => parseRecordSchema(schema({ type: 'object', properties: props(MAX_SCHEMA_NODES - 1) }))).toThrow(
      `schema holds more than ${MAX_SCHEMA_NODES} objects and arrays, the most a datanet's schema may`,
    );
    let deep: object = { type: 'string' };
    for (let d = 1; d < MAX_SCHEMA_DEPTH; d++) deep = { not: deep };
    expect(() => parseRecordSchema(JSON.stringify(deep))).not.toThrow();
    expect(() => parseRecordSchema(JSON.stringify({ not: deep }))).toThrow(`schema nests objects and arrays deeper than ${MAX_SCHEMA_DEPTH} levels`);
  });

  it('refuses what is not a JSON object, before any compile', () => {
    expect(() => parseRecordSchema('{')).toThrow(/^schema is not JSON/);
    expect(() => parseRecordSchema('[]')).toThrow('schema must be a JSON object');
    expect(() => compileRecordSchema('"x"')).toThrow('schema must be a JSON object');
  });
});
