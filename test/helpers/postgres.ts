// A private PostgreSQL server for tests: its own cluster in a temp directory, on a free
// loopback port, started and stopped with the Debian binaries (scripts/ensure-postgres.sh
// installs them). PostgreSQL will not run as root, so as root it runs as `postgres`.
// A fault test may put the data directory on a volume of its own (`dataParent`).
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './wait.ts';

export interface PostgresServer {
  /** The server's own `postgres` database, for creating others. */
  adminUrl: string;
  port: number;
  /** Holds the server log (`server.log`) and the socket; the data directory too, unless `dataParent` put it elsewhere. */
  dir: string;
  /** The cluster's data directory (PGDATA). */
  dataDir: string;
  urlFor(database: string): string;
  /** Creates a database if there is none of that name; returns its URL. */
  createDatabase(name: string): string;
  start(): void;
  /** Whether a postmaster runs on the data directory (`pg_ctl status`): false once it shut itself down. */
  running(): boolean;
  /** A clean shutdown (fast: open sessions are cut), as `pg_ctl stop -m fast`. */
  stop(): void;
  /** Kills the postmaster with SIGKILL: a crash, recovered from the WAL at the next start. */
  kill(): void;
  destroy(): void;
}

/**
 * The whole environment of a `tributary start` child process on `url`, as the fault tests
 * run it: lease tries every 200 ms, signatures checked in-process, no epoch timer.
 */
export function nodeProcessEnv(dir: string, url: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    DATABASE_URL: url,
    TRIBUTARY_TAKEOVER_MS: '200',
    TRIBUTARY_AUTH_WORKERS: '0',
    TRIBUTARY_EPOCH_SECONDS: '0',
    ...extra,
  };
}

export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  if (versions.length === 0) throw new Error('PostgreSQL is not installed: run `bash scripts/ensure-postgres.sh` (as root), or `apt-get install postgresql`');
  versions.sort((a, b) => Number(b) - Number(a));
  return join(root, versions[0], 'bin');
}

const asRoot = process.getuid?.() === 0;

function spawnAsPostgres(bin: string, args: string[]) {
  const cmd = asRoot ? 'runuser' : bin;
  const argv = asRoot ? ['-u', 'postgres', '--', bin, ...args] : args;
  return spawnSync(cmd, argv, { encoding: 'utf8', timeout: 60_000 });
}

function run(bin: string, args: string[]): string {
  const r = spawnAsPostgres(bin, args);
  if (r.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr || r.stdout}`);
  return r.stdout;
}

/** A fresh directory under `parent` that the server's user owns. */
function serverDir(parent: string): string {
  const dir = mkdtempSync(join(parent, 'tributary-pg-'));
  if (asRoot) {
    const pw = execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim();
    chownSync(dir, Number(pw), Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()));
  }
  return dir;
}

export interface PostgresOptions {
  /** `false` (the default) turns fsync off: what a test suite wants, not what a fault test does. */
  durable?: boolean;
  /** Where the data directory goes (e.g. a small volume); the log and the socket stay in the temp directory. */
  dataParent?: string;
}

export async function startPostgres(opts: PostgresOptions = {}): Promise<PostgresServer> {
  const bin = postgresBinDir();
  const dir = serverDir(tmpdir());
  const home = opts.dataParent ? serverDir(opts.dataParent) : dir;
  const data = join(home, 'data');
  run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8', '--no-sync']);
  const port = await freePort();
  const conf = [
    `listen_addresses = '127.0.0.1'`,
    `port = ${port}`,
    `unix_socket_directories = '${dir}'`,
    'max_connections = 200',
    'shared_buffers = 64MB',
    ...(opts.durable ? [] : ['fsync = off', 'full_page_writes = off']),
  ];
  writeFileSync(join(data, 'postgresql.auto.conf'), conf.join('\n') + '\n');
  if (asRoot) execFileSync('chown', ['postgres:postgres', join(data, 'postgresql.auto.conf')]);
  const urlFor = (db: string) => `postgres://postgres@127.0.0.1:${port}/${db}`;
  const psql = (sql: string) => run(join(bin, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-tAc', sql]);
  const server: PostgresServer = {
    adminUrl: urlFor('postgres'),
    port,
    dir,
    dataDir: data,
    urlFor,
    createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a database name for tests: ${name}`);
      if (psql(`SELECT 1 FROM pg_database WHERE datname = '${name}'`).trim() !== '1') psql(`CREATE DATABASE ${name}`);
      return urlFor(name);
    },
    start() {
      run(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
    },
    running() {
      // 0: running; 3: not running (4: no data directory, which counts as not running too).
      return spawnAsPostgres(join(bin, 'pg_ctl'), ['-D', data, 'status']).status === 0;
    },
    stop() {
      run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
    },
    kill() {
      run(join(bin, 'pg_ctl'), ['-D', data, 'kill', 'KILL', postmasterPid(data)]);
      // The children notice their postmaster is gone and exit; wait until the port is free.
      for (let i = 0; i < 100 && spawnSync(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)]).status === 0; i++)
        spawnSync('sleep', ['0.1']);
    },
    destroy() {
      try {
        server.stop();
      } catch {
        // Already stopped.
      }
      rmSync(dir, { recursive: true, force: true });
      if (home !== dir) rmSync(home, { recursive: true, force: true });
    },
  };
  server.start();
  return server;
}

function postmasterPid(data: string): string {
  const r = spawnSync('head', ['-1', join(data, 'postmaster.pid')], { encoding: 'utf8' });
  return r.stdout.trim();
}
