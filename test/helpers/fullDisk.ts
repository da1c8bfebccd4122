// What the full-disk fault tests share: a small tmpfs to fill (Linux, as root), and text
// to fill it with that no earlier contribution repeats.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Mounts a tmpfs of `mib` MiB on `dir`; throws with mount's own message when it cannot. */
export function mountTmpfs(dir: string, mib: number, mode = '0700'): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${mib}m,mode=${mode}`, 'tmpfs', dir], { stdio: 'pipe' });
}

export function unmount(dir: string): void {
  try {
    execFileSync('umount', [dir], { stdio: 'pipe' });
  } catch {
    execFileSync('umount', ['-l', dir], { stdio: 'pipe' }); // still busy (a process that has not exited yet)
  }
}

/** Why this machine cannot mount a tmpfs, if it cannot: tries a mount (and takes it down at once). */
export function whyNoTmpfs(): string | undefined {
  if (process.platform !== 'linux') return `tmpfs needs Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  const probe = mkdtempSync(join(tmpdir(), 'tributary-tmpfs-probe-'));
  try {
    mountTmpfs(probe, 1);
    unmount(probe);
    return undefined;
  } catch (e) {
    return `mount -t tmpfs failed: ${String((e as { stderr?: Buffer }).stderr ?? e).trim()}`;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

/** Text no earlier contribution repeats: random words, so the duplicate check passes it. */
export function freshText(bytes: number): Buffer {
  const words = randomBytes(Math.ceil(bytes / 9) * 4).toString('hex').replace(/.{8}/g, '$& ');
  return Buffer.from(words.slice(0, bytes - 1) + '\n');
}
