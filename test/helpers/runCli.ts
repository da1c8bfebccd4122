// Runs the real `tributary` command (bin/tributary.js) as a child process against a
// node, with HOME in a temp directory. Asynchronous, because the node answering it may
// share the test's event loop.
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

const BIN = resolve(import.meta.dirname, '../../bin/tributary.js');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(nodeUrl: string, keystore: string, cwd: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, '--node', nodeUrl, '--keystore', keystore, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: join(cwd, 'home'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}
