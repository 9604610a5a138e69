import express from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Request, Response, Router } from 'express';
import type { Logger } from '../../observability/logger';
import type { AllowedHost } from '../../vapi/control-url';
import { z } from 'zod';
import { ROUTE_AT_HEADER, callbackTagOf } from '../../contracts';
import type { CallEvent, CallbackCallEvent, CallbackCallTag, TransferTimings } from '../../contracts';
import type { Metrics } from '../../observability/metrics';
import {
  describeIssues,
  endOfCallReportMessageSchema,
  envelopeSchema,
  isOutboundCall,
  statusUpdateMessageSchema,
  toolCallsMessageSchema,
  transferDestinationRequestMessageSchema,
  transferUpdateMessageSchema,
} from '../../vapi/messages';
import type { WebhookAuthConfig } from '../../vapi/webhook-auth';
import { verifyWebhook } from '../../vapi/webhook-auth';
import { AppError } from '../errors';
import { rateLimitLogger } from '../rate-limit-log';
import type { CallEventClient } from './call-events';
import { deliverCallEvent } from './call-events';
import type { DestinationRequestClient } from './destination-request';
import { answerDestinationRequest } from './destination-request';
import type { CallbackRequestClient } from './request-callback';
import { answerCallbackRequest } from './request-callback';
import type { WorkflowStarter } from './start-transfer';
import { startTransfer } from './start-transfer';
import type { ToolCallResult } from './tool-calls';
import { oneLine, planToolCalls } from './tool-calls';

export interface WebhookDeps {
  webhookAuth: WebhookAuthConfig;
  transferToolNames: readonly string[];
  allowedHosts: readonly AllowedHost[];
  taskQueue: string;
  workflowClient: WorkflowStarter & CallEventClient & DestinationRequestClient & CallbackRequestClient;
  /** How long transfer workflows wait for Vapi at each point (outcome, dial windows), carried in every request. */
  timings: TransferTimings;
  /** How long a transfer-destination-request may take before Vapi is told there is no destination. */
  destinationDeadlineMs: number;
  logger: Logger;
  /** Real end-of-call reports run to ~50 KB and more; megabytes are refused with 413. */
  bodyLimit?: string;
  /** Requests per minute and client address before 429. */
  rateLimitPerMinute: number;
  /** Authenticated requests per minute about one Vapi call (message.call.id) before 429. */
  rateLimitPerCallPerMinute: number;
  /** How long to keep trying to start a workflow while Temporal is unreachable before answering 503. */
  startDeadlineMs: number;
  /** The client shares its connection with a worker polling `taskQueue` (npm start): start transfers eagerly. */
  eagerStart?: boolean;
  /**
   * Honour the simulator's as-of time (header `x-switchboard-route-at`) as the transfer's `routeAt`: `npm start`'s
   * embedded mode only. Elsewhere the header is ignored with a warning: Vapi never sends it.
   */
  honourRouteAt?: boolean;
  /** Callers waiting in line may be offered a call back (VAPI_API_KEY and VAPI_PHONE_NUMBER_ID are set): transfers carry it, and `request_callback` is handled. */
  callbacks?: boolean;
  /** Counts call events about outbound calls nothing was waiting for. */
  metrics?: Pick<Metrics, 'callEventIgnored'>;
  now?: () => Date;
}

/**
 * `POST /webhook`: authenticate over the raw bytes, parse, then act by message type. Every refusal is a 4xx
 * JSON error and starts nothing.
 */
export function webhookRouter(deps: WebhookDeps): Router {
  const router = express.Router();
  const now = deps.now ?? (() => new Date());

  const limiterLog = rateLimitLogger(deps.logger, 'webhook');
  const refuse = (message: string) => (_req: Request, _res: Response, next: (error: AppError) => void) => next(new AppError({ httpStatus: 429, code: 'rate_limited', message }));

  router.post(
    '/webhook',
    // Per client address (TRUST_PROXY says which address that is behind a load balancer), before any work.
    rateLimit({
      windowMs: 60_000,
      limit: deps.rateLimitPerMinute,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      logger: limiterLog,
      handler: refuse('too many requests; slow down'),
    }),
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
      res.locals.rawBody = raw;
      try {
        req.body = JSON.parse(raw.toString('utf8'));
      } catch {
        next(new AppError({ httpStatus: 400, code: 'invalid_json', message: 'request body is not valid JSON' }));
        return;
      }
      next();
    },
    // Per Vapi call, once the request is authenticated and parsed: one call's flood (a loop in an assistant, a
    // replayed conversation) cannot use up what the other calls sharing the address are allowed.
    rateLimit({
      windowMs: 60_000,
      limit: deps.rateLimitPerCallPerMinute,
      standardHeaders: false,
      legacyHeaders: false,
      logger: limiterLog,
      skip: (req) => callIdOf(req.body) === undefined,
      keyGenerator: (req) => `call:${callIdOf(req.body)}`,
      handler: refuse('too many requests for this call; slow down'),
    }),
    async (req: Request, res: Response) => {
      const envelope = envelopeSchema.safeParse(req.body);
      if (!envelope.success) {
        throw new AppError({ httpStatus: 400, code: 'invalid_message', message: 'not a Vapi server message', details: describeIssues(envelope.error) });
      }
      const type = envelope.data.message.type;
      res.locals.messageType = type;
      res.locals.logFields = { messageType: type.slice(0, 40) };
      const message = envelope.data.message;
      switch (type) {
        case 'tool-calls':
          break;
        case 'status-update':
        case 'transfer-update':
        case 'end-of-call-report': {
          const event = readCallEvent(message);
          // An inbound call's own progress (`ringing`, `in-progress`) concerns no workflow: nothing to look up.
          if (event && (event.event || event.tag || event.outbound)) {
            res.locals.logFields = { ...res.locals.logFields, callId: event.callId };
            const { found } = await deliverCallEvent(deps.workflowClient, {
              callId: event.callId,
              event: event.event,
              callbackEvent: event.callbackEvent,
              tag: event.tag,
              message: event.message,
              transferToolNames: deps.transferToolNames,
              logger: deps.logger,
            }).catch((error: unknown) => {
              throw new AppError({ httpStatus: 503, code: 'temporal_unavailable', message: 'call event could not be delivered; retry', cause: error });
            });
            // A call back whose workflow has ended, or an outbound call Switchboard never placed: nothing to do.
            if (!found && event.outbound) {
              deps.metrics?.callEventIgnored(type);
              deps.logger.info({ callId: event.callId, status: event.callbackEvent.status }, 'call event for an unknown outbound call ignored');
            }
          }
          res.status(200).json({});
          return;
        }
        case 'transfer-destination-request': {
          const parsedRequest = transferDestinationRequestMessageSchema.safeParse(message);
          if (!parsedRequest.success) {
            throw new AppError({ httpStatus: 400, code: 'invalid_message', message: 'invalid transfer-destination-request', details: describeIssues(parsedRequest.error, ['message']) });
          }
          res.locals.logFields = { ...res.locals.logFields, callId: parsedRequest.data.call.id };
          const answer = await answerDestinationRequest(deps.workflowClient, parsedRequest.data, {
            taskQueue: deps.taskQueue,
            allowedHosts: deps.allowedHosts,
            deadlineMs: deps.destinationDeadlineMs,
            timings: deps.timings,
            logger: deps.logger,
            now: now(),
            rawBody: res.locals.rawBody as Buffer,
          });
          res.status(200).json(answer);
          return;
        }
        default:
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
      const routeAt = admittedRouteAt(req, res, deps);
      const plan = planToolCalls(parsed.data, {
        transferToolNames: deps.transferToolNames,
        allowedHosts: deps.allowedHosts,
        receivedAt: now(),
        timings: deps.timings,
        ...(routeAt ? { routeAt } : {}),
        ...(deps.callbacks ? { callbacks: true } : {}),
      });
      res.locals.logFields = { ...res.locals.logFields, callId: parsed.data.call.id };
      const results: ToolCallResult[] = await Promise.all(
        plan.map(async (item): Promise<ToolCallResult> => {
          if (item.kind === 'answer') return item.answer;
          if (item.kind === 'callback') {
            const said = await answerCallbackRequest(deps.workflowClient, { callId: item.callId, toolCallId: item.toolCall.id, ask: item.ask, deadlineMs: deps.startDeadlineMs, logger: deps.logger }).catch(
              (error: unknown) => {
                deps.logger.error({ err: { name: (error as Error)?.name, message: (error as Error)?.message }, callId: item.callId }, 'could not ask for a callback');
                throw new AppError({ httpStatus: 503, code: 'temporal_unavailable', message: 'callback could not be requested; retry', cause: error });
              },
            );
            return { toolCallId: item.toolCall.id, name: item.toolCall.name, result: oneLine(said) };
          }
          const started = await startTransfer(deps.workflowClient, deps.taskQueue, item.request, { deadlineMs: deps.startDeadlineMs, eager: deps.eagerStart ?? false }).catch((error: unknown) => {
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

const isoInstant = z.iso.datetime({ offset: true });

/**
 * The simulator's as-of time, when this service honours it (npm start's embedded mode) and it is an ISO 8601
 * instant; the answer's header of the same name says what became of it. A bad value is refused with 400
 * before anything starts; a header this service does not honour is ignored with a warning.
 */
function admittedRouteAt(req: Request, res: Response, deps: Pick<WebhookDeps, 'honourRouteAt' | 'logger'>): string | undefined {
  const header = req.headers[ROUTE_AT_HEADER];
  const asked = Array.isArray(header) ? header[0] : header;
  if (asked === undefined) return undefined;
  if (!deps.honourRouteAt) {
    deps.logger.warn(`${ROUTE_AT_HEADER} ignored: only npm start's embedded mode routes at the simulator's time`);
    res.set(ROUTE_AT_HEADER, 'ignored');
    return undefined;
  }
  if (!isoInstant.safeParse(asked).success) {
    throw new AppError({ httpStatus: 400, code: 'invalid_route_at', message: `${ROUTE_AT_HEADER}: expected an ISO 8601 time with an offset, e.g. 2026-11-25T15:00:00Z` });
  }
  res.set(ROUTE_AT_HEADER, 'honoured');
  return asked;
}

/** The Vapi call a parsed message is about, if it names one in a usable form (the message schemas check it again). */
function callIdOf(body: unknown): string | undefined {
  const id = (body as { message?: { call?: { id?: unknown } } } | null)?.message?.call?.id;
  return typeof id === 'string' && id.length > 0 && id.length <= 200 ? id : undefined;
}

/** What one status-update, transfer-update or end-of-call-report says, for transfers and for callbacks. */
interface ReadCallEvent {
  callId: string;
  /** For transfers; null when it means nothing to them (`in-progress`, `ringing`, …). */
  event: CallEvent | null;
  /** For callbacks: every status. */
  callbackEvent: CallbackCallEvent;
  tag: CallbackCallTag | null;
  outbound: boolean;
  message: { artifact?: { messages?: { role?: string }[] } | null };
}

/**
 * The call event a status-update, transfer-update or end-of-call-report carries, or null when it cannot be
 * read: informational messages never get a 4xx, since answering them with errors only fills Vapi's logs.
 */
function readCallEvent(message: unknown): ReadCallEvent | null {
  const about = (call: { id: string } & object, status: string, endedReason: string | null) => ({
    callId: call.id,
    callbackEvent: { callId: call.id, status, endedReason },
    tag: callbackTagOf(call),
    outbound: isOutboundCall(call),
  });
  const status = statusUpdateMessageSchema.safeParse(message);
  if (status.success) {
    const { call, endedReason } = status.data;
    const event: CallEvent | null =
      status.data.status === 'forwarding' ? { kind: 'forwarding' } : status.data.status === 'ended' ? { kind: 'ended', endedReason: endedReason ?? null } : null;
    return { ...about(call, status.data.status, endedReason ?? null), event, message: status.data };
  }
  const transfer = transferUpdateMessageSchema.safeParse(message);
  if (transfer.success) {
    return { ...about(transfer.data.call, 'forwarding', null), event: { kind: 'transfer-update', destinationType: transfer.data.destination?.type ?? null }, message: transfer.data };
  }
  const report = endOfCallReportMessageSchema.safeParse(message);
  if (report.success) {
    return { ...about(report.data.call, 'ended', report.data.endedReason ?? null), event: { kind: 'ended', endedReason: report.data.endedReason ?? null }, message: report.data };
  }
  return null;
}
