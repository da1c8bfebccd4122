// Typed access to GGUF metadata: "give me key K as an array of strings, or tell the user exactly
// why not". Callers (tokenizer loaders, model checks) must never cast a GgufValue blindly; this
// module must never coerce one type into another (a u32 asked for as i32 is an error).
import { GgufError } from './errors.ts';
import type { GgufArrayItems, GgufScalars, GgufValue, GgufValueType } from './types.ts';

type Metadata = ReadonlyMap<string, GgufValue>;

function describe(v: GgufValue): string {
  return v.type === 'array' ? `array of ${v.value.itemType} (${v.value.items.length} items)` : v.type;
}

/** The value of `key`, which must be a scalar of `type`; undefined when the key is absent. */
export function optionalScalar<K extends Exclude<GgufValueType, 'array'>>(metadata: Metadata, key: string, type: K): GgufScalars[K] | undefined {
  const v = metadata.get(key);
  if (v === undefined) return undefined;
  if (v.type !== type) throw new GgufError('wrong-type', `key ${key}: want ${type}, found ${describe(v)}`);
  return v.value as GgufScalars[K];
}

/** The value of `key`, which must be present and a scalar of `type`. */
export function requireScalar<K extends Exclude<GgufValueType, 'array'>>(metadata: Metadata, key: string, type: K): GgufScalars[K] {
  const v = optionalScalar(metadata, key, type);
  if (v === undefined) throw new GgufError('missing-key', `key ${key} is missing; it must be a ${type}`);
  return v;
}

/** The items of `key`, which must be an array of `itemType`; undefined when the key is absent. */
export function optionalArray<K extends GgufValueType>(metadata: Metadata, key: string, itemType: K): GgufArrayItems[K] | undefined {
  const v = metadata.get(key);
  if (v === undefined) return undefined;
  if (v.type !== 'array' || v.value.itemType !== itemType) throw new GgufError('wrong-type', `key ${key}: want array of ${itemType}, found ${describe(v)}`);
  return v.value.items as GgufArrayItems[K];
}

/** The items of `key`, which must be present and an array of `itemType`. */
export function requireArray<K extends GgufValueType>(metadata: Metadata, key: string, itemType: K): GgufArrayItems[K] {
  const v = optionalArray(metadata, key, itemType);
  if (v === undefined) throw new GgufError('missing-key', `key ${key} is missing; it must be an array of ${itemType}`);
  return v;
}
