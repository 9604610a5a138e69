import express from 'express';
import type { Express } from 'express';
import type { Readiness } from '../temporal/readiness';
import type { Logger } from '../observability/logger';
import { AppError, errorHandler } from './errors';
import { requestContext } from './request-context';
import type { Metrics } from '../observability/metrics';
import type { TransferConsole } from '../operations/transfer-console';
import type { CodecDeps } from './codec/router';
import { codecRouter } from './codec/router';
import type { OperatorDeps } from './operator/router';
import { operatorRouter } from './operator/router';
import { transfersRouter } from './operator/transfers-router';
import type { FloorFeed } from './floor/feed';
import { floorRouter } from './floor/router';
import type { FloorPageDeps } from './floor/router';
import { FloorSessions } from './floor/session';
import type { WebhookDeps } from './webhook/router';
import { webhookRouter } from './webhook/router';

export interface AppDeps extends Omit<WebhookDeps, 'logger'> {
  logger: Logger;
  readiness: () => Promise<Readiness>;
  /** Operator endpoints (agents, routing dry run); absent in tests that exercise the webhook alone. */
  operator?: OperatorDeps;
  /** The transfer console behind `/transfers` (admin token). */
  transfers?: TransferConsole;
  /** The remote codec endpoint for the Temporal Web UI and CLI. */
  codec?: Omit<CodecDeps, 'adminToken'>;
  /** Serves `/metrics` and counts webhooks. */
  metrics?: Metrics;
  /** Set while shutting down: `/readyz` answers 503 so load balancers stop sending work. */
  draining?: () => boolean;
  /** The Temporal Web UI's base URL, reported on /healthz for tools that link to workflows (the simulator). */
  temporalUiUrl?: string;
  /** Express's `trust proxy` (TRUST_PROXY): which proxies' X-Forwarded-For names the client. Default: none. */
  trustProxy?: boolean | number | readonly string[];
  /** The floor page (`/floor`): what its pages stream; sign-in with the operator's admin token. */
  floor?: { feed: FloorFeed } & Pick<FloorPageDeps, 'wrongTokenDelayMs' | 'signInAttempts'>;
}

/** Builds the HTTP surface without listening, so tests drive it in-process with supertest. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', Array.isArray(deps.trustProxy) ? [...deps.trustProxy] : (deps.trustProxy ?? false));
  app.use(requestContext(deps.logger, deps.metrics));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', ...(deps.temporalUiUrl ? { temporalUi: deps.temporalUiUrl } : {}) });
  });
  app.get('/readyz', async (_req, res) => {
    if (deps.draining?.()) {
      res.status(503).json({ ready: false, reason: 'shutting down' });
      return;
    }
    const readiness = await deps.readiness();
    res.status(readiness.ready ? 200 : 503).json(readiness);
  });

  app.use(webhookRouter({ ...deps }));
  const adminToken = deps.operator?.adminToken;
  // The floor page's sign-in opens the operator endpoints it calls; with no page, only the bearer token does.
  const sessions = deps.floor && adminToken ? new FloorSessions(adminToken) : undefined;
  if (deps.floor) app.use(floorRouter({ ...deps.floor, adminToken, sessions, logger: deps.logger }));
  if (deps.operator) app.use(operatorRouter(deps.operator, sessions));
  if (deps.transfers) app.use(transfersRouter({ adminToken, transfers: deps.transfers, ...(sessions ? { sessions } : {}) }));
  if (deps.codec) app.use(codecRouter({ ...deps.codec, adminToken: deps.operator?.adminToken }));
  const metrics = deps.metrics;
  if (metrics) {
    // Unauthenticated like every Prometheus target: counts and timings only, never ids or personal data.
    app.get('/metrics', async (_req, res) => {
      res.setHeader('content-type', metrics.registry.contentType);
      res.send(await metrics.render());
    });
  }

  app.use((_req, _res, next) => next(new AppError({ httpStatus: 404, code: 'not_found', message: 'no such endpoint' })));
  app.use(errorHandler(deps.logger));
  return app;
}
