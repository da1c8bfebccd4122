// Waiting in end-to-end tests, bounded in time, and a free loopback port to start a
// process on.
import { createServer } from 'node:net';

/**
 * Polls `fn` every 100 ms until it returns something other than undefined, and returns
 * that; throws naming `what` after `ms`. With `ignoreErrors`, a throw counts as "not yet"
 * (for a service still starting); otherwise it fails the wait at once.
 */
export async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 20_000, opts: { ignoreErrors?: boolean } = {}): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = opts.ignoreErrors ? await fn().catch(() => undefined) : await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((w) => setTimeout(w, 100));
  }
}

/** A port on 127.0.0.1 that nothing listens on now. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });
}
