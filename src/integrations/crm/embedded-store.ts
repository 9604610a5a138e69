import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { Pool } from 'pg';
import type { DemoNoteStore } from './demo-crm';
import { CrmConfigError, CrmError } from './crm';
import type { SqlDatabase } from './sql';
import { SqlTransferNotes, migrate } from './sql';

/**
 * The demo CRM's notes in a real PostgreSQL engine embedded in the process (PGlite), files under DATA_DIR,
 * so a note written before a restart of `npm start` is there after it. PGlite is one process's database:
 * the owner records itself in a file beside the data, so a second process opening the same DATA_DIR is
 * refused, and serves the store on a loopback port, so the operator CLI (`npx switchboard transfers show`)
 * can read a note while `npm start` runs.
 */
export interface EmbeddedStore extends DemoNoteStore {
  /** `postgres://…@127.0.0.1:<port>/postgres` while served, for the CLI; null when not served. */
  url: string | null;
}

interface Owner {
  pid: number;
  url: string | null;
}

const STORE_DIR = 'crm-store';
const OWNER_FILE = 'crm-store.owner.json';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is just not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(file: string): Owner | null {
  try {
    const owner = JSON.parse(readFileSync(file, 'utf8')) as Owner;
    return typeof owner.pid === 'number' ? owner : null;
  } catch {
    return null;
  }
}

/** Claims the store for this process, or explains who holds it. A claim left by a dead process is taken over. */
function claim(file: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, JSON.stringify({ pid: process.pid, url: null } satisfies Owner), { flag: 'wx' });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = readOwner(file);
      if (owner && owner.pid !== process.pid && alive(owner.pid)) {
        throw new CrmConfigError(
          `DATA_DIR: the demo CRM's store in ${path.dirname(file)} is open in another Switchboard process (pid ${owner.pid}); stop it, give this process its own DATA_DIR, or set CRM_URL to a shared CRM`,
        );
      }
      unlinkSync(file);
    }
  }
  throw new CrmConfigError(`DATA_DIR: could not claim the demo CRM's store in ${path.dirname(file)}; remove ${file} if no Switchboard is running`);
}

function pgliteDatabase(db: PGlite): SqlDatabase {
  return {
    query: (text, params) => db.query(text, params),
    // PGlite is a single session: the instance itself is the connection.
    withSession: (work) =>
      work({
        query: (text, params) => db.query(text, params),
        exec: async (script) => {
          await db.exec(script);
        },
      }),
  };
}

/** Opens (creating and migrating on first use) the store under `dataDir`; `serve` also opens it to the local CLI. */
export async function openEmbeddedStore(dataDir: string, options: { serve: boolean }): Promise<EmbeddedStore> {
  mkdirSync(dataDir, { recursive: true });
  const ownerFile = path.join(dataDir, OWNER_FILE);
  claim(ownerFile);
  let db: PGlite | undefined;
  let server: PGLiteSocketServer | undefined;
  const release = () => {
    if (readOwner(ownerFile)?.pid === process.pid) unlinkSync(ownerFile);
  };
  try {
    db = await PGlite.create({ dataDir: path.join(dataDir, STORE_DIR) });
    const database = pgliteDatabase(db);
    await migrate(database);
    let url: string | null = null;
    if (options.serve) {
      server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 8 });
      await server.start();
      url = `postgres://postgres@${server.getServerConn()}/postgres`;
      writeFileSync(ownerFile, JSON.stringify({ pid: process.pid, url } satisfies Owner));
    }
    const opened = db;
    const served = server;
    return {
      url,
      notes: new SqlTransferNotes(database),
      check: async () => {
        await opened.query('SELECT 1');
      },
      close: async () => {
        await served?.stop().catch(() => undefined);
        await opened.close();
        release();
      },
    };
  } catch (error) {
    await server?.stop().catch(() => undefined);
    await db?.close().catch(() => undefined);
    release();
    throw error;
  }
}

/**
 * The store of the `npm start` running on `dataDir`, reached through its loopback port; null when none runs.
 * Used by the operator CLI, a separate process that must not open PGlite's files itself.
 */
export function attachEmbeddedStore(dataDir: string, timeoutMs: number): DemoNoteStore | null {
  const owner = readOwner(path.join(dataDir, OWNER_FILE));
  if (!owner?.url || !alive(owner.pid)) return null;
  const pool = new Pool({ connectionString: owner.url, max: 1, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  pool.on('error', () => undefined);
  const database = { query: <Row>(text: string, params?: unknown[]) => pool.query(text, params) as unknown as Promise<{ rows: Row[]; fields: { name: string }[] }> };
  return {
    notes: new SqlTransferNotes(database),
    check: async () => {
      await pool.query('SELECT 1');
    },
    close: () => pool.end(),
  };
}

/**
 * What the operator CLI reads when no `npm start` serves the store of `dataDir`: every read fails saying where
 * it looked, since answering "no note" would be wrong about a note that lives under another DATA_DIR.
 */
export function unservedEmbeddedStore(dataDir: string): DemoNoteStore {
  const unserved = () =>
    Promise.reject(
      new CrmError(`no npm start serves the demo CRM's notes from DATA_DIR ${dataDir}; the notes are read from the npm start running on that DATA_DIR, so run this with the DATA_DIR npm start uses`, false),
    );
  return { notes: { upsert: unserved, setStatus: unserved, find: unserved }, check: unserved, close: async () => undefined };
}
