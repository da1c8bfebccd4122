// JSON Schema checks for JSONL datanets: compiling a datanet's schema when it is
// created, and checking every record of a contribution against it. Compiled
// validators are cached by schema text, since one datanet sees many contributions.
// Compiling is the node's check at intake, on a CPU worker; apply (and replay) runs only the
// cheap checks (parseRecordSchema), which bound what a compile may cost.
// The schema is the datanet creator's, so its regular expressions (`pattern`,
// `patternProperties`, `propertyNames`) must never run on a backtracking engine: they
// run on RE2, whose time is linear in the input, and a pattern RE2 cannot run
// (backreferences, lookaround) is refused when the schema is compiled.
import { Ajv, type CodeOptions, type ValidateFunction } from 'ajv';
import { RE2 } from 're2-wasm';

/** Ajv's regular-expression engine: RE2 (linear time), always in Unicode mode as Ajv asks. */
const re2: NonNullable<CodeOptions['regExp']> = Object.assign(
  (pattern: string, flags: string) => {
    try {
      return new RE2(pattern, flags.includes('u') ? flags : `${flags}u`);
    } catch (e) {
      throw new RecordSchemaError(
        `pattern ${JSON.stringify(pattern)} cannot run on RE2, the linear-time engine schemas use ` +
          `(backreferences and lookaround are not supported): ${(e as Error).message}`,
      );
    }
  },
  { code: 'new RE2' },
);

const ajv = new Ajv({ allErrors: false, strict: false, code: { regExp: re2 } });
const cache = new Map<string, ValidateFunction>();

export class RecordSchemaError extends Error {
  override readonly name = 'RecordSchemaError';
}

/**
 * Most objects and arrays a schema may hold. Ajv compiles a schema to code, and its time
 * grows faster than the schema: ~1,400 properties (64 KiB) took 5 s, so the cap keeps one
 * compile well inside a CPU worker's budget (docs/datanets limits in docs/api.md).
 */
export const MAX_SCHEMA_NODES = 256;
/** Deepest nesting of objects and arrays in a schema (Ajv compiles by recursion). */
export const MAX_SCHEMA_DEPTH = 32;

/**
 * The cheap checks of a schema, fit for the event loop and for replay: JSON text holding an
 * object, within MAX_SCHEMA_NODES and MAX_SCHEMA_DEPTH. Throws RecordSchemaError with the reason.
 */
export function parseRecordSchema(text: string): object {
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch (e) {
    throw new RecordSchemaError(`schema is not JSON: ${(e as Error).message}`);
  }
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema))
    throw new RecordSchemaError('schema must be a JSON object');
  let nodes = 0;
  const walk = (v: unknown, depth: number): void => {
    if (typeof v !== 'object' || v === null) return;
    if (++nodes > MAX_SCHEMA_NODES) throw new RecordSchemaError(`schema holds more than ${MAX_SCHEMA_NODES} objects and arrays, the most a datanet's schema may`);
    if (depth > MAX_SCHEMA_DEPTH) throw new RecordSchemaError(`schema nests objects and arrays deeper than ${MAX_SCHEMA_DEPTH} levels, the most a datanet's schema may`);
    for (const child of Array.isArray(v) ? v : Object.values(v)) walk(child, depth + 1);
  };
  walk(schema, 1);
  return schema;
}

/**
 * Compiles (and caches) a schema given as JSON text; throws RecordSchemaError with the
 * reason. Compiling costs up to seconds of CPU, so the node runs it on a CPU worker.
 */
export function compileRecordSchema(text: string): ValidateFunction {
  const hit = cache.get(text);
  if (hit) return hit;
  const schema = parseRecordSchema(text);
  let fn: ValidateFunction;
  try {
    fn = ajv.compile(schema);
  } catch (e) {
    if (e instanceof RecordSchemaError) throw e;
    throw new RecordSchemaError(`schema does not compile: ${(e as Error).message}`);
  }
  if (cache.size > 256) cache.clear();
  cache.set(text, fn);
  return fn;
}

/** Checks JSONL text line by line; returns the first problem ("line 3: /age must be integer"), or undefined. */
export function jsonlProblem(text: string, schemaText: string): string | undefined {
  const validate = compileRecordSchema(schemaText);
  const lines = text.split('\n');
  let records = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (line.trim() === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (e) {
      return `line ${i + 1}: not JSON (${(e as Error).message})`;
    }
    if (!validate(record)) {
      const err = validate.errors?.[0];
      const where = err?.instancePath || '(record)';
      return `line ${i + 1}: ${where} ${err?.message ?? 'does not match the schema'}`;
    }
    records++;
  }
  if (records === 0) return 'contains no records';
  return undefined;
}
