// Writing the CLI's small state files (keystore, known nodes, receipts) so that a crash
// never leaves half a file, and a secret never exists, even briefly, with loose permissions.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';

/** Creates `dir` (and parents) with mode 0700 if it is missing; leaves an existing one alone. */
export function ensurePrivateDir(dir: string): void {
  const created = mkdirSync(dir, { recursive: true, mode: 0o700 });
  // mkdir's mode passes through the umask; a freshly made dir must end up 0700 regardless.
  if (created !== undefined) chmodSync(dir, 0o700);
}

/** Writes `text` to a temporary sibling with `mode`, then renames it over `path`. */
export function writeFileAtomic(path: string, text: string, mode: number): void {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, text, { mode, flag: 'wx' });
    chmodSync(tmp, mode);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  // A file that existed before keeps the inode's new mode only through the rename;
  // chmod again so that the final path is right even on odd filesystems.
  chmodSync(path, mode);
}
