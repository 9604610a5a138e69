import express from 'express';
import type { Router } from 'express';
import { z } from 'zod';
import type { TransferConsole } from '../../operations/transfer-console';
import { TransferConsoleError } from '../../operations/transfer-console';
import { describeIssues } from '../../vapi/messages';
import { AppError } from '../errors';
import { requireAdmin } from './admin-auth';
import type { FloorSessions } from '../floor/session';

const HTTP_STATUS: Record<TransferConsoleError['code'], number> = {
  not_found: 404,
  invalid_filter: 400,
  still_running: 409,
  not_running: 409,
  not_retryable: 409,
  may_have_reached_caller: 409,
  call_not_live: 409,
  call_state_unknown: 409,
  conflict: 409,
};

const listQuery = z
  .object({
    outcome: z.string().max(128).optional(),
    department: z.string().max(128).optional(),
    callId: z.string().max(128).optional(),
    since: z.string().max(64).optional(),
    status: z.enum(['running', 'closed']).optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
  })
  .strict();
const retryBody = z.object({ force: z.boolean().optional() }).strict();
/** Transfer ids as transferWorkflowId makes them (`%` of its escapes included) and as 1.0 made them. */
const WORKFLOW_ID = /^[A-Za-z0-9._:%-]{1,255}$/;

function workflowIdOf(raw: unknown): string {
  const id = String(raw ?? '');
  if (!WORKFLOW_ID.test(id)) throw new AppError({ httpStatus: 400, code: 'invalid_workflow_id', message: 'not a transfer workflow id' });
  return id;
}

function asHttp(error: unknown): never {
  if (error instanceof TransferConsoleError) throw new AppError({ httpStatus: HTTP_STATUS[error.code], code: error.code, message: error.message });
  throw error;
}

/** Operators' view of transfers: list, inspect, retry, cancel. Every route needs the admin token (or the floor page's session). */
export function transfersRouter(deps: { adminToken: string | undefined; transfers: TransferConsole; sessions?: FloorSessions }): Router {
  const router = express.Router();
  router.use('/transfers', requireAdmin(deps.adminToken, deps.sessions), express.json({ limit: '16kb' }));

  router.get('/transfers', async (req, res) => {
    const query = listQuery.safeParse(req.query);
    if (!query.success) throw new AppError({ httpStatus: 400, code: 'invalid_request', message: 'invalid filters', details: describeIssues(query.error) });
    const filters = Object.fromEntries(Object.entries(query.data).filter(([, value]) => value !== undefined));
    res.json(await deps.transfers.list(filters).catch(asHttp));
  });

  router.get('/transfers/:workflowId', async (req, res) => {
    res.json(await deps.transfers.show(workflowIdOf(req.params.workflowId)).catch(asHttp));
  });

  router.post('/transfers/:workflowId/retry', async (req, res) => {
    const workflowId = workflowIdOf(req.params.workflowId);
    const body = retryBody.safeParse(req.body ?? {});
    if (!body.success) throw new AppError({ httpStatus: 400, code: 'invalid_request', message: 'invalid body', details: describeIssues(body.error) });
    res.status(202).json(await deps.transfers.retry(workflowId, body.data.force ? { force: true } : {}).catch(asHttp));
  });

  router.post('/transfers/:workflowId/replay', async (req, res) => {
    const replayed = await deps.transfers.replay(workflowIdOf(req.params.workflowId)).catch(asHttp);
    res.status(replayed.ok ? 200 : 409).json(replayed);
  });

  router.post('/transfers/:workflowId/cancel', async (req, res) => {
    res.status(202).json(await deps.transfers.cancel(workflowIdOf(req.params.workflowId)).catch(asHttp));
  });
  return router;
}
