// RFC 8785 JSON Canonicalization Scheme (JCS): the one byte string a JSON value hashes
// to, so that log entries and the state root can be recomputed by any tool in any
// language. Never emits anything for a value JSON cannot carry exactly (non-finite
// numbers, undefined, bigint, functions, cycles, lone surrogates, class instances):
// it throws instead, because a silently dropped or altered field changes a hash that
// others must be able to reproduce.

/** A value that RFC 8785 cannot canonicalise. `path` locates it, e.g. `$.items[2].size`. */
export class CanonicalizationError extends Error {
  override readonly name = 'CanonicalizationError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

// With the `u` flag a well-formed surrogate pair is one code point, so \p{Cs} only
// matches a surrogate standing alone, which UTF-8 cannot encode (I-JSON, RFC 7493 §2.1).
const LONE_SURROGATE = /\p{Cs}/u;

// Where the walk is, as a linked list built only one link per value: the path text is
// formatted only when something fails, which keeps the common case fast.
type Path = { readonly up: Path; readonly key: string | number } | null;

function formatPath(path: Path): string {
  const parts: string[] = [];
  for (let p = path; p !== null; p = p.up) {
    const k = p.key;
    parts.push(
      typeof k === 'number' ? `[${k}]` : /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`,
    );
  }
  return '$' + parts.reverse().join('');
}

function fail(path: Path, reason: string): never {
  throw new CanonicalizationError(formatPath(path), reason);
}

function serializeString(s: string, path: Path): string {
  if (LONE_SURROGATE.test(s)) fail(path, 'string contains a lone UTF-16 surrogate, which has no UTF-8 encoding');
  // RFC 8785 §3.2.2.2 defines string escaping as ECMAScript's JSON.stringify: \b \t \n
  // \f \r \" \\ as two-character escapes, other controls as \u00xx, everything else raw.
  return JSON.stringify(s);
}

function serializeNumber(n: number, path: Path): string {
  if (!Number.isFinite(n)) fail(path, `${n} is not a finite number; JSON has no encoding for it`);
  // RFC 8785 §3.2.2.3 is ECMAScript Number::toString, which String() implements
  // (-0 becomes "0").
  return String(n);
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function serialize(value: unknown, path: Path, ancestors: Set<object>): string {
  switch (typeof value) {
    case 'string':
      return serializeString(value, path);
    case 'number':
      return serializeNumber(value, path);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return fail(path, 'undefined is not a JSON value (omit the member or use null)');
    case 'bigint':
      return fail(path, 'bigint is not a JSON value; encode it as a decimal string');
    case 'function':
      return fail(path, 'a function is not a JSON value');
    case 'symbol':
      return fail(path, 'a symbol is not a JSON value');
  }
  if (value === null) return 'null';
  const obj = value as object;
  if (ancestors.has(obj)) fail(path, 'cycle: the value contains itself');
  ancestors.add(obj);
  let out: string;
  if (Array.isArray(obj)) {
    out = '[';
    for (let i = 0; i < obj.length; i++) {
      // A hole reads as undefined and is refused like one.
      out += (i ? ',' : '') + serialize(obj[i], { up: path, key: i }, ancestors);
    }
    out += ']';
  } else {
    if (!isPlainObject(obj)) {
      const name = (obj as { constructor?: { name?: string } }).constructor?.name ?? 'object';
      fail(path, `a ${name} is not a plain JSON object; convert it first`);
    }
    if (Object.getOwnPropertySymbols(obj).length > 0) fail(path, 'object has symbol keys, which JSON cannot carry');
    // Default sort compares UTF-16 code units, exactly RFC 8785 §3.2.3.
    const keys = Object.keys(obj).sort();
    const rec = obj as Record<string, unknown>;
    out = '{';
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      const p = { up: path, key: k };
      out += (i ? ',' : '') + serializeString(k, p) + ':' + serialize(rec[k], p, ancestors);
    }
    out += '}';
  }
  // Only ancestors count as a cycle; the same object twice side by side is fine.
  ancestors.delete(obj);
  return out;
}

/** The RFC 8785 canonical JSON text of `value`. Throws CanonicalizationError. */
export function canonicalize(value: unknown): string {
  return serialize(value, null, new Set());
}

/** The RFC 8785 canonical form as UTF-8 bytes, what gets hashed and signed. */
export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalize(value), 'utf8');
}
