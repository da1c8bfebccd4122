// JSON Schema checks for JSONL datanets: compiling a datanet's schema when it is
// created, and checking every record of a contribution against it. Compiled
// validators are cached by schema text, since one datanet sees many contributions.
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

/** Compiles (and caches) a schema given as JSON text; throws RecordSchemaError with the reason. */
export function compileRecordSchema(text: string): ValidateFunction {
  const hit = cache.get(text);
  if (hit) return hit;
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch (e) {
    throw new RecordSchemaError(`schema is not JSON: ${(e as Error).message}`);
  }
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema))
    throw new RecordSchemaError('schema must be a JSON object');
  let fn: ValidateFunction;
  try {
    fn = ajv.compile(schema as object);
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
