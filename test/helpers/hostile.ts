// fast-check arbitraries for hostile HTTP input, driven by the node's own OpenAPI document:
// values that follow a route's schema closely enough to get past the first check, mixed with
// wrong types, huge numbers, odd unicode, bad hex, missing and extra fields.
import { createHash } from 'node:crypto';
import fc from 'fast-check';

const sha256Hex = (b: string | Uint8Array) => '0x' + createHash('sha256').update(b).digest('hex');

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  nullable?: boolean;
}

const HUGE = ['9'.repeat(400), '1e400', '-1e400', String(2 ** 64), '18446744073709551617', '-0', '0x' + 'f'.repeat(80)];

const NASTY = [
  '', ' ', '0', '-1', '00', '1.5', 'NaN', 'Infinity', 'null', 'true', '[]', '{}',
  '0x', '0X', '0xzz', '0x' + 'g'.repeat(64), '0x' + 'F'.repeat(63), '0x' + '0'.repeat(65), 'f'.repeat(64), '0x' + '0'.repeat(40),
  '../../etc/passwd', '..', '.', '/', '\\', '%00', '\u0000', 'a\u0000b', '\ud800', '\udfff\ud800', '\u202e', '\ufeff', 'e\u0301',
  '😀'.repeat(64), 'ß', 'İ', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty',
  '<script>alert(1)</script>', "' OR 1=1 --", '${7*7}', '%s%s%s%n', 'a@1', 'demo-river@0', 'x@99999999999999999999',
  ...HUGE,
];

/** Strings that have broken parsers, paths and hex decoders elsewhere; short enough for a URL or a header. */
export const hostileShortString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...NASTY),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.string({ unit: 'grapheme', maxLength: 32 }),
  fc.integer({ min: 100, max: 1_000 }).map((n) => 'a'.repeat(n)),
);

/** The same, and now and then a very long one (bodies). */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: hostileShortString },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 200_000 }).map((n) => 'a'.repeat(n)) },
);

/** Any JSON value of the wrong kind, or the right kind out of range. */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, -0.5, 1.5, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, 2 ** 64, 1e308, -1e308, Number.MIN_VALUE, [], {}, [[[[[[]]]]]], [null], { '': '' }),
  hostileString,
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.array(fc.oneof(fc.integer(), hostileString), { maxLength: 5 }),
  fc.constantFrom(JSON.parse('{"__proto__":{"polluted":1}}') as unknown, JSON.parse('{"constructor":{"prototype":{"polluted":1}}}') as unknown),
  fc.array(fc.constant(0), { minLength: 1000, maxLength: 5000 }),
);

/** How often a value is replaced by a hostile one, and a required field left out: none, one in ten, one in three. */
type Mix = 0 | 10 | 3;

/**
 * A value for `schema`: strictly by the schema (patterns, enums, ranges, every required
 * field; it reaches the checks behind validation), lightly or heavily spoiled with hostile values.
 */
export function fromSchema(schema: JsonSchema | undefined, known: string[] = []): fc.Arbitrary<unknown> {
  return fc.oneof(...([0, 10, 3] as Mix[]).map((mix) => spoiled(schema, { mix, known, depth: 0 })));
}

interface Ctx {
  mix: Mix;
  known: string[];
  depth: number;
}

function spoiled(schema: JsonSchema | undefined, ctx: Ctx): fc.Arbitrary<unknown> {
  if (!schema || ctx.depth > 6) return hostileJson;
  if (ctx.mix === 0) return followSchema(schema, ctx);
  return fc.oneof({ weight: ctx.mix - 1, arbitrary: followSchema(schema, ctx) }, { weight: 1, arbitrary: hostileJson });
}

function followSchema(s: JsonSchema, ctx: Ctx): fc.Arbitrary<unknown> {
  const deeper = { ...ctx, depth: ctx.depth + 1 };
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const alternatives = s.oneOf ?? s.anyOf;
  if (alternatives) return fc.oneof(...alternatives.map((a) => spoiled(a, deeper)));
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'string':
      if (s.pattern) {
        const re = new RegExp(s.pattern);
        // Known values that fit (a real signature, an existing hash) get past more than random ones do.
        const fitting = ctx.known.filter((k) => re.test(k));
        const random = fc.stringMatching(re).filter((x) => x.length <= 4096);
        return fitting.length > 0 ? fc.oneof(random, fc.constantFrom(...fitting)) : random;
      }
      return fc.oneof(
        fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 40, 200) }),
        ...(ctx.known.length > 0 ? [fc.constantFrom(...ctx.known)] : []),
        ...(ctx.mix === 0 ? [] : [hostileString]),
      );
    case 'integer': {
      const min = s.minimum ?? -(2 ** 31);
      const max = s.maximum ?? 2 ** 31;
      return fc.oneof(fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31) }), fc.constantFrom(min, max, min - 1, max + 1));
    }
    case 'number':
      return fc.double({ min: s.minimum ?? -1e9, max: s.maximum ?? 1e9, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(spoiled(s.items, deeper), { maxLength: Math.min(s.maxItems ?? 4, 4) });
    case 'object':
    default: {
      const props = Object.entries(s.properties ?? {});
      const required = new Set(s.required ?? []);
      // Each property: present (per schema or hostile), or missing even when required.
      const fields = props.map(([k, v]) => {
        const present = spoiled(v, deeper).map((x) => [k, x] as const);
        if (required.has(k) && ctx.mix === 0) return present;
        return fc.oneof({ weight: required.has(k) ? ctx.mix * 3 : 2, arbitrary: present }, { weight: 1, arbitrary: fc.constant(undefined) });
      });
      const extra =
        ctx.mix === 0
          ? fc.constant([] as Array<[string, unknown]>)
          : fc.oneof({ weight: ctx.mix, arbitrary: fc.constant([] as Array<[string, unknown]>) }, { weight: 1, arbitrary: fc.array(fc.tuple(hostileShortString, hostileJson), { maxLength: 2 }) });
      return fc.tuple(fc.tuple(...fields), extra).map(([present, more]) => {
        const out: Record<string, unknown> = {};
        for (const f of present) if (f) out[f[0]] = f[1];
        for (const [k, v] of more) out[k] = v;
        return out;
      });
    }
  }
}

export interface Operation {
  method: string;
  /** The OpenAPI path, with {name} placeholders. */
  path: string;
  pathParams: Array<{ name: string; schema?: JsonSchema }>;
  queryParams: Array<{ name: string; schema?: JsonSchema }>;
  body?: JsonSchema;
}

interface OpenApiDoc {
  paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string; schema?: JsonSchema }>; requestBody?: { content?: Record<string, { schema?: JsonSchema }> } }>>;
}

/** Every operation the node documents. */
export function operationsOf(doc: OpenApiDoc): Operation[] {
  const out: Operation[] = [];
  for (const [path, ops] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(ops)) {
      const params = op.parameters ?? [];
      out.push({
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === 'path').map(({ name, schema }) => ({ name, schema })),
        queryParams: params.filter((p) => p.in === 'query').map(({ name, schema }) => ({ name, schema })),
        body: op.requestBody?.content?.['application/json']?.schema,
      });
    }
  return out;
}

/** Every byte percent-encoded (lone surrogates as U+FFFD, which encodeURIComponent refuses). */
const percentEncoded = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => '%' + b.toString(16).padStart(2, '0')).join('');

export interface HostileRequest {
  url: string;
  init: { method: string; headers: Record<string, string>; body?: string | Uint8Array };
}

/** A query value that follows the parameter's schema (a deterministic pick from a few, by `i`). */
function queryValues(op: Operation, known: string[]): (name: string, i: number) => string {
  return (name, i) => {
    const schema = op.queryParams.find((p) => p.name === name)?.schema ?? {};
    if (schema.enum) return String(schema.enum[i % schema.enum.length]);
    if (schema.type === 'integer' || schema.type === 'number') return String([schema.minimum ?? 0, schema.maximum ?? 1, 1, 2][i % 4]);
    return known[i % known.length];
  };
}

/** A request to `op`: path parameters from `known` values or hostile strings, query and body from the schema or worse. */
export function requestFor(op: Operation, known: string[]): fc.Arbitrary<HostileRequest> {
  const param = (schema?: JsonSchema) =>
    fc.oneof(
      { weight: 2, arbitrary: fc.constantFrom(...known) },
      { weight: 2, arbitrary: followSchema(schema ?? { type: 'string' }, { mix: 0, known, depth: 0 }).map(String) },
      { weight: 3, arbitrary: hostileShortString },
    );
  const path = fc.tuple(...op.pathParams.map((p) => param(p.schema))).map((values) => {
    let p = op.path;
    op.pathParams.forEach((pp, i) => (p = p.replace(`{${pp.name}}`, percentEncoded(values[i]))));
    return p;
  });
  const query = fc
    .tuple(
      fc.subarray(op.queryParams),
      fc.array(fc.tuple(hostileShortString, hostileShortString), { maxLength: 2 }),
      fc.array(
        fc.tuple(fc.boolean(), fc.oneof(fc.constantFrom(...known), hostileShortString, fc.integer({ min: -1, max: 1001 }).map(String))),
        { minLength: 8, maxLength: 8 },
      ),
    )
    .map(([chosen, extra, values]) => {
      const q = new URLSearchParams();
      // Half the time a parameter gets a value by its schema, else anything.
      const byQuery = queryValues(op, known);
      chosen.forEach((p, i) => q.append(p.name, values[i % values.length][0] ? byQuery(p.name, i) : values[i % values.length][1]));
      for (const [k, v] of extra) q.append(k, v);
      const s = q.toString();
      return s === '' ? '' : `?${s}`;
    });
  type Body = { body?: string | Uint8Array; contentType?: string };
  const jsonBody: fc.Arbitrary<Body> = fc.oneof(
    { weight: 6, arbitrary: fromSchema(op.body ?? { type: 'object' }, known).map((b) => ({ body: JSON.stringify(b), contentType: 'application/json' })) },
    { weight: 1, arbitrary: fc.constantFrom<Body>({ body: '{"a":', contentType: 'application/json' }, { body: '', contentType: 'application/json' }, { body: 'null', contentType: 'application/json' }, { body: '{"a":1}', contentType: 'text/plain' }, { body: '\u0000\u0001', contentType: 'application/x-www-form-urlencoded' }, {}) },
  );
  const rawBody: fc.Arbitrary<Body> = fc.oneof(
    fc.uint8Array({ maxLength: 2048 }).map((b) => ({ body: b, contentType: 'application/octet-stream' })),
    fc.constantFrom<Body>({ body: Buffer.from('GGUF\u0003\u0000\u0000\u0000'), contentType: 'application/octet-stream' }, {}, { body: '{}', contentType: 'application/json' }),
  );
  const body: fc.Arbitrary<Body> = op.method === 'GET' ? fc.constant({}) : op.method === 'PUT' ? rawBody : jsonBody;
  const auth = fc.option(fc.oneof(fc.constantFrom('Bearer ', 'Bearer trib_x', 'Basic Zm9vOmJhcg=='), hostileShortString.filter((s) => /^[\x20-\x7e]*$/.test(s)).map((s) => `Bearer ${s}`)), { nil: undefined });
  // An upload under its own SHA-256 half the time, so that it gets past the hash check.
  const ownHash = op.method === 'PUT' && op.pathParams.length === 1 ? fc.boolean() : fc.constant(false);
  return fc.tuple(path, query, body, auth, ownHash).map(([p, q, b, a, own]) => ({
    url: (own && b.body !== undefined ? op.path.replace(`{${op.pathParams[0].name}}`, sha256Hex(b.body)) : p) + q,
    init: {
      method: op.method,
      headers: { ...(b.contentType ? { 'content-type': b.contentType } : {}), ...(a ? { authorization: a } : {}) },
      ...(b.body !== undefined ? { body: b.body } : {}),
    },
  }));
}
