import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';

/** The codec endpoint's URL token must not land in logs. */
function loggablePath(path: string): string {
  return path.replace(/^\/codec\/(?!(?:encode|decode)$)[^/]+/, '/codec/[token]');
}

/** Gives every request an id (the caller's `x-request-id` when it is sane) and logs one line when it ends. */
export function requestContext(logger: Logger, metrics?: Metrics): RequestHandler {
  return (req, res, next) => {
    const incoming = req.header('x-request-id');
    const requestId = incoming && /^[A-Za-z0-9._-]{1,128}$/.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('x-request-id', requestId);
    const started = process.hrtime.bigint();
    // Captured now: mounted routers rewrite req.url (and so req.path) while they handle the request.
    const path = loggablePath(req.originalUrl.split('?')[0] ?? '');
    res.on('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      if (path === '/webhook' && req.method === 'POST') metrics?.webhookAnswered(res.locals.messageType, res.statusCode, durationMs / 1000);
      logger.info(
        { requestId, method: req.method, path, status: res.statusCode, durationMs: Math.round(durationMs * 10) / 10, ...res.locals.logFields },
        'request',
      );
    });
    next();
  };
}
