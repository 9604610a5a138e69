import { spawn } from 'node:child_process';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { Pool } from 'pg';

/**
 * The PostgreSQL the tests use: the server at DATABASE_URL when it is set (a real PostgreSQL), else PGlite —
 * the same engine compiled to WebAssembly — served over the wire protocol by its socket server, so `pg`
 * talks to it exactly as to a server and `npm test` needs no installed PostgreSQL.
 */
export interface TestPostgres {
  url: string;
  stop(): Promise<void>;
}

/** An embedded PostgreSQL on a loopback port, in this process: a fresh, empty database each time (global set-up). */
export async function startEmbeddedPostgres(): Promise<TestPostgres> {
  const db = await PGlite.create();
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 32 });
  await server.start();
  return {
    url: `postgres://postgres@${server.getServerConn()}/postgres`,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}

/**
 * A fresh, empty embedded PostgreSQL in a process of its own, for a test file that needs a database nobody
 * else has migrated (jest's sandbox cannot load PGlite in the test file itself).
 */
export function startEmbeddedPostgresProcess(): Promise<TestPostgres> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'embedded-postgres-main.ts')], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((candidate) => candidate.startsWith('{'));
      if (!line) return;
      const { url } = JSON.parse(line) as { url: string };
      resolve({
        url,
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      });
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then(() => reject(new Error(`the embedded PostgreSQL exited before serving: ${output}`)));
  });
}

/** DATABASE_URL, which global set-up points at the embedded engine when it was not set. */
export function testDatabaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: run the tests with `npm test`, whose global setup starts an embedded PostgreSQL');
  return url;
}

/** A pool on the test database for arranging rows and checking what an adapter wrote. */
export function testPool(url = testDatabaseUrl()): Pool {
  const pool = new Pool({ connectionString: url, max: 2 });
  pool.on('error', () => undefined);
  return pool;
}
