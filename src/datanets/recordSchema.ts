// JSON Schema checks for JSONL datanets: compiling a datanet's schema when it is
// created, and checking every record of a contribution against it. Compiled
// validators are cached by schema text, since one datanet sees many contributions.
import { Ajv, type ValidateFunction } from 'ajv';

const ajv = new Ajv({ allErrors: false, strict: false });
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
