// The one error the GGUF reader, writer and metadata accessors throw. Its message names the
// key or tensor at fault and the byte where the fault lies, because a malformed GGUF handed to
// llama.cpp can abort the whole process: callers validate with this code first and must be able
// to tell the user exactly what is wrong. This module must never import anything.

export type GgufErrorCode =
  /** The file does not start with "GGUF". */
  | 'bad-magic'
  /** A version other than 2 or 3, or a big-endian file. */
  | 'unsupported-version'
  /** A field, string, array or tensor's data extends beyond the end of the file. */
  | 'truncated'
  /** A value breaks the format: unknown type code, bool not 0/1, invalid UTF-8, bad alignment, … */
  | 'invalid-value'
  /** Two metadata entries with one key, or two tensors with one name. */
  | 'duplicate'
  /** Bytes follow the last tensor's data beyond the padding to the alignment. */
  | 'trailing-bytes'
  /** A tensor's shape, type or offset is invalid. */
  | 'invalid-tensor'
  /** A metadata key the caller requires is absent. */
  | 'missing-key'
  /** A metadata key holds a value of another type than the caller requires. */
  | 'wrong-type';

export class GgufError extends Error {
  override readonly name = 'GgufError';
  constructor(
    readonly code: GgufErrorCode,
    message: string,
    /** Byte offset in the file where the fault was found, when there is one. */
    readonly offset?: number,
  ) {
    super(message);
  }
}
