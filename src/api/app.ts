import express from 'express';
import type { Express } from 'express';
import type { Readiness } from '../temporal/readiness';
import type { Logger } from '../observability/logger';
import { AppError, errorHandler } from './errors';
import { requestContext } from './request-context';
import type { OperatorDeps } from './operator/router';
import { operatorRouter } from './operator/router';
import type { WebhookDeps } from './webhook/router';
import { webhookRouter } from './webhook/router';

export interface AppDeps extends Omit<WebhookDeps, 'logger'> {
  logger: Logger;
  readiness: () => Promise<Readiness>;
  /** Operator endpoints (agents, routing dry run); absent in tests that exercise the webhook alone. */
  operator?: OperatorDeps;
}

/** Builds the HTTP surface without listening, so tests drive it in-process with supertest. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(requestContext(deps.logger));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const readiness = await deps.readiness();
    res.status(readiness.ready ? 200 : 503).json(readiness);
  });

  app.use(webhookRouter({ ...deps }));
  if (deps.operator) app.use(operatorRouter(deps.operator));

  app.use((_req, _res, next) => next(new AppError({ httpStatus: 404, code: 'not_found', message: 'no such endpoint' })));
  app.use(errorHandler(deps.logger));
  return app;
}
