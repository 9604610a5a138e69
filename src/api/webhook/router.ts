import express from 'express';
import type { Request, Response, Router } from 'express';
import type { Logger } from '../../observability/logger';
import type { AllowedHost } from '../../vapi/control-url';
import { describeIssues, envelopeSchema, toolCallsMessageSchema } from '../../vapi/messages';
import type { WebhookAuthConfig } from '../../vapi/webhook-auth';
import { verifyWebhook } from '../../vapi/webhook-auth';
import { AppError } from '../errors';
import type { WorkflowStarter } from './start-transfer';
import { startTransfer } from './start-transfer';
import type { ToolCallResult } from './tool-calls';
import { planToolCalls } from './tool-calls';

export interface WebhookDeps {
  webhookAuth: WebhookAuthConfig;
  transferToolNames: readonly string[];
  allowedHosts: readonly AllowedHost[];
  taskQueue: string;
  workflowClient: WorkflowStarter;
  logger: Logger;
  /** Real end-of-call reports run to ~50 KB and more; megabytes are refused with 413. */
  bodyLimit?: string;
  now?: () => Date;
}

/**
 * `POST /webhook`: authenticate over the raw bytes, parse, then act by message type. Every refusal is a 4xx
 * JSON error and starts nothing.
 */
export function webhookRouter(deps: WebhookDeps): Router {
  const router = express.Router();
  const now = deps.now ?? (() => new Date());

  router.post(
    '/webhook',
    express.raw({ type: () => true, limit: deps.bodyLimit ?? '1mb' }),
    (req, res, next) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const verdict = verifyWebhook(deps.webhookAuth, req.headers, raw);
      if (!verdict.ok) {
        next(new AppError({ httpStatus: 401, code: 'unauthorized', message: verdict.reason }));
        return;
      }
      if (!req.is('application/json') && !req.is('+json')) {
        next(new AppError({ httpStatus: 415, code: 'unsupported_media_type', message: 'content-type must be application/json' }));
        return;
      }
      try {
        req.body = JSON.parse(raw.toString('utf8'));
      } catch {
        next(new AppError({ httpStatus: 400, code: 'invalid_json', message: 'request body is not valid JSON' }));
        return;
      }
      next();
    },
    async (req: Request, res: Response) => {
      const envelope = envelopeSchema.safeParse(req.body);
      if (!envelope.success) {
        throw new AppError({ httpStatus: 400, code: 'invalid_message', message: 'not a Vapi server message', details: describeIssues(envelope.error) });
      }
      const type = envelope.data.message.type;
      res.locals.logFields = { messageType: type.slice(0, 40) };
      if (type !== 'tool-calls') {
        // Informational messages need only a fast 2xx; Vapi ignores the body.
        res.status(200).json({});
        return;
      }
      const parsed = toolCallsMessageSchema.safeParse(envelope.data.message);
      if (!parsed.success) {
        throw new AppError({
          httpStatus: 400,
          code: 'invalid_message',
          message: 'invalid tool-calls message',
          details: describeIssues(parsed.error, ['message']),
        });
      }
      const plan = planToolCalls(parsed.data, {
        transferToolNames: deps.transferToolNames,
        allowedHosts: deps.allowedHosts,
        receivedAt: now(),
      });
      res.locals.logFields = { ...res.locals.logFields, callId: parsed.data.call.id };
      const results: ToolCallResult[] = await Promise.all(
        plan.map(async (item): Promise<ToolCallResult> => {
          if (item.kind === 'answer') return item.answer;
          const started = await startTransfer(deps.workflowClient, deps.taskQueue, item.request).catch((error: unknown) => {
            deps.logger.error({ err: { name: (error as Error)?.name, message: (error as Error)?.message }, callId: item.request.callId }, 'could not start transfer workflow');
            throw new AppError({ httpStatus: 503, code: 'temporal_unavailable', message: 'transfer could not be started; retry', cause: error });
          });
          deps.logger.info({ workflowId: started.workflowId, callId: item.request.callId, status: started.status }, 'transfer accepted');
          return {
            toolCallId: item.toolCall.id,
            name: item.toolCall.name,
            result:
              started.status === 'started'
                ? 'Transfer in progress: connecting the caller now.'
                : 'This transfer request was already handled.',
          };
        }),
      );
      res.status(200).json({ results });
    },
  );
  return router;
}
