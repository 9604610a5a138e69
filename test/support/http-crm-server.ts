import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';

/** One request as the contract server received it. */
export interface ReceivedCrmRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

interface StoredNote {
  noteId: string;
  transferId: string;
  /** A contract status; tests may set any word, as a CRM on another version of the contract might hold. */
  status: string;
  statusReason: string | null;
  text: string;
}

export interface HttpCrmServer {
  baseUrl: string;
  received: ReceivedCrmRequest[];
  customers: Record<string, unknown>[];
  notes: Map<string, StoredNote>;
  /** The next `count` requests (matching `path` when given) answer `status` (or hang for `delayMs` first). */
  failNext(options: { status?: number; count?: number; delayMs?: number; path?: RegExp }): void;
  close(): Promise<void>;
}

/**
 * A CRM implementing docs/crm-http-contract.md, in memory: what a team would put in front of its own CRM.
 * It keys notes by transfer id (as the contract asks), honours the Idempotency-Key, checks the token, and can
 * be told to fail or stall the next requests.
 */
export async function startHttpCrmServer(
  options: {
    token?: string;
    authHeader?: string;
    basePath?: string;
    /** Behave as a CRM built to the earlier contract: `PATCH /notes/{id}` ignores `ifStatusIn` and answers 204. */
    earlierContract?: boolean;
  } = {},
): Promise<HttpCrmServer> {
  const received: ReceivedCrmRequest[] = [];
  const customers: Record<string, unknown>[] = [];
  const notes = new Map<string, StoredNote>();
  let faults: { status?: number; count: number; delayMs?: number; path?: RegExp }[] = [];
  let nextNote = 1;

  const app = express();
  app.use(express.json());
  const router = express.Router();
  app.use((req, res, next) => {
    received.push({ method: req.method, path: req.originalUrl, headers: req.headers, body: req.body });
    const fault = faults.find((candidate) => candidate.count > 0 && (!candidate.path || candidate.path.test(req.originalUrl)));
    const proceed = () => {
      if (fault?.status) {
        res.status(fault.status).json({ error: 'injected failure' });
        return;
      }
      const header = options.authHeader ?? 'authorization';
      const expected = header === 'authorization' ? `Bearer ${options.token}` : options.token;
      if (options.token && req.headers[header] !== expected) {
        res.status(401).json({ error: 'unauthorized' });
        return;
      }
      next();
    };
    if (fault) fault.count -= 1;
    if (fault?.delayMs) setTimeout(proceed, fault.delayMs);
    else proceed();
  });

  router.get('/health', (_req, res) => void res.json({ status: 'ok' }));
  router.get('/customers/:id', (req, res) => {
    const customer = customers.find((candidate) => candidate.id === req.params.id);
    if (customer) res.json({ customer });
    else res.status(404).json({ error: 'no such customer' });
  });
  router.get('/customers', (req, res) => {
    const customer = customers.find((candidate) => candidate.phone === req.query.phone);
    if (customer) res.json({ customer });
    else res.status(404).json({ error: 'no such customer' });
  });
  router.put('/transfers/:transferId/note', (req, res) => {
    const { transferId } = req.params;
    if (req.headers['idempotency-key'] !== transferId) {
      res.status(400).json({ error: 'Idempotency-Key must be the transfer id' });
      return;
    }
    const body = req.body as { text: string };
    const existing = notes.get(transferId);
    // The contract: an existing note is replaced only once it was marked not-transferred.
    if (existing && existing.status !== 'not-transferred') {
      res.status(200).json({ noteId: existing.noteId });
      return;
    }
    const noteId = existing?.noteId ?? `n-${nextNote++}`;
    notes.set(transferId, { noteId, transferId, status: 'pending-transfer', statusReason: null, text: body.text });
    res.status(existing ? 200 : 201).json({ noteId });
  });
  router.get('/transfers/:transferId/note', (req, res) => {
    const note = notes.get(req.params.transferId);
    if (note) res.json(note);
    else res.status(404).json({ error: 'no note' });
  });
  router.patch('/notes/:noteId', (req, res) => {
    const note = [...notes.values()].find((candidate) => candidate.noteId === req.params.noteId);
    if (!note) {
      res.status(404).json({ error: 'no note' });
      return;
    }
    const body = req.body as { status: string; statusReason: string | null; ifStatusIn?: string[] };
    if (options.earlierContract) {
      Object.assign(note, { status: body.status, statusReason: body.statusReason });
      res.status(204).end();
      return;
    }
    // The move is Switchboard's to judge: apply it only from the statuses it names.
    const changed = !body.ifStatusIn || body.ifStatusIn.includes(note.status);
    if (changed) Object.assign(note, { status: body.status, statusReason: body.statusReason });
    res.status(200).json({ changed, status: note.status });
  });
  app.use(options.basePath ?? '/', router);

  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}${options.basePath ?? ''}`,
    received,
    customers,
    notes,
    failNext: ({ status, count = 1, delayMs, path }) => {
      faults = [...faults.filter((fault) => fault.count > 0), { count, ...(status ? { status } : {}), ...(delayMs ? { delayMs } : {}), ...(path ? { path } : {}) }];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
