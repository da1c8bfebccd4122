// Which file names and media types a contribution may carry. A file name is a label,
// never a path: anything that could climb out of a directory is refused here, once.

export const MEDIA_TYPES: Record<string, string> = {
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.csv': 'text/csv',
  '.jsonl': 'application/jsonl',
};

/** Returns the reason a file name is unsafe, or undefined if it is a plain name. */
export function fileNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (Buffer.byteLength(name, 'utf8') > 255) return 'must be at most 255 bytes';
  if (name.includes('/') || name.includes('\\')) return 'must be a bare file name, without / or \\';
  if (name === '.' || name === '..' || name.startsWith('..')) return 'must not start with ..';
  if (/^[A-Za-z]:/.test(name)) return 'must not start with a drive letter';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'must not contain control characters';
  if (name.startsWith('.')) return 'must not be a hidden file name';
  return undefined;
}

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot).toLowerCase();
}

export function mediaTypeFor(name: string): string | undefined {
  return MEDIA_TYPES[extensionOf(name)];
}
