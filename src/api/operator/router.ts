import express from 'express';
import type { Router } from 'express';
import { z } from 'zod';
import type { ContactCenter } from '../../config/contact-center';
import { RoutingConfigError, parseContactCenterText, routingPolicyOf } from '../../config/contact-center';
import type { CustomerProfile } from '../../contracts';
import { AGENT_STATES, AGENT_STATUS_COMMANDS } from '../../contracts';
import type { FloorClient } from '../../integrations/floor-client';
import type { Crm } from '../../integrations/crm';
import { toCustomerProfile } from '../../integrations/crm';
import type { ToneJudge } from '../../integrations/tone';
import { callerNumber, callerWords, describeIssues, listToolCalls, toolCallsMessageSchema, transferArgumentsSchema } from '../../vapi/messages';
import { routingInput } from '../../routing/input';
import { destinationLabel } from '../../routing/labels';
import { priorityClass } from '../../routing/line-rules';
import { criteriaOf, decideWithFloor, routeRules } from '../../routing/pipeline';
import { AppError } from '../errors';
import type { TransferConsole } from '../../operations/transfer-console';
import { TransferConsoleError } from '../../operations/transfer-console';
import { requireAdmin } from './admin-auth';
import type { FloorSessions } from '../floor/session';

export interface OperatorDeps {
  adminToken: string | undefined;
  /** Reads recorded transfers for the routing what-if (`POST /routing/diff`); absent, that route answers 404. */
  transfers?: TransferConsole;
  /** Agents' states live in the floor workflow: one read per request, however many agents. */
  floor: FloorClient;
  contactCenter: ContactCenter;
  crm: Crm;
  tone: ToneJudge;
  transferToolNames: readonly string[];
}

const statusBody = z.object({ status: z.enum(AGENT_STATUS_COMMANDS) }).strict();
const agentsQuery = z
  .object({
    offset: z.coerce.number().int().min(0).max(1_000_000).optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
    department: z.string().regex(/^[a-z0-9][a-z0-9-]*$/).max(64).optional(),
    state: z.enum(AGENT_STATES).optional(),
    search: z.string().max(64).optional(),
  })
  .strict();
const explainBody = z.object({ message: z.unknown(), at: z.iso.datetime({ offset: true }).optional() }).strict();
const diffBody = z
  .object({
    /** The candidate routing file's YAML text; absent, each transfer is decided again with the file it recorded. */
    config: z.string().min(1).max(1_000_000).optional(),
    since: z.string().max(64).optional(),
    query: z.string().max(2_000).optional(),
    limit: z.number().int().min(1).max(5_000).optional(),
  })
  .strict()
  .refine((body) => !(body.since && body.query), { message: 'give since or query, not both' });

async function profileOf(crm: Crm, customerId: string | undefined, phone: string | undefined): Promise<CustomerProfile> {
  return toCustomerProfile(await crm.findCustomer({ customerId, phone }).catch(() => null));
}

/** Agents' live state and the routing dry run; every route needs the admin token (or the floor page's session). */
export function operatorRouter(deps: OperatorDeps, sessions?: FloorSessions): Router {
  const router = express.Router();
  router.use(['/agents', '/routing', '/queues'], requireAdmin(deps.adminToken, sessions), express.json({ limit: '1mb' }));

  /** Every department's line: who waits, in the order they will be served, the oldest wait and the service level. */
  router.get('/queues', async (_req, res) => {
    res.json({ lines: await deps.floor.lines() });
  });

  /** A page of agents with their state and since when, and counts per state: one read of the floor. */
  router.get('/agents', async (req, res) => {
    const query = agentsQuery.safeParse(req.query);
    if (!query.success) throw new AppError({ httpStatus: 400, code: 'invalid_request', message: 'invalid query', details: describeIssues(query.error) });
    const page = await deps.floor.page(query.data);
    const names = new Map(deps.contactCenter.agents.map((agent) => [agent.id, agent]));
    res.json({
      ...page,
      offset: query.data.offset ?? 0,
      agents: page.agents.map((agent) => ({ ...agent, name: names.get(agent.id)?.name ?? null, languages: names.get(agent.id)?.languages ?? [], tier: names.get(agent.id)?.tier ?? null })),
    });
  });

  router.post('/agents/:id/status', async (req, res) => {
    const agentId = String(req.params.id);
    if (!deps.contactCenter.agents.some((agent) => agent.id === agentId)) {
      throw new AppError({ httpStatus: 404, code: 'not_found', message: 'no such agent' });
    }
    const body = statusBody.safeParse(req.body);
    if (!body.success) throw new AppError({ httpStatus: 400, code: 'invalid_request', message: 'invalid body', details: describeIssues(body.error) });
    const reply = await deps.floor.setStatus(agentId, body.data.status);
    if (reply.type !== 'agent') throw new AppError({ httpStatus: 409, code: 'conflict', message: reply.type === 'refused' ? reply.reason : 'the floor did not answer with the agent' });
    res.json(reply.agent);
  });

  /** What routing would decide for this tool-calls message at `at`, with live agent state; reserves nothing. */
  router.post('/routing/explain', async (req, res) => {
    const body = explainBody.safeParse(req.body);
    if (!body.success) throw new AppError({ httpStatus: 400, code: 'invalid_request', message: 'invalid body', details: describeIssues(body.error) });
    const message = toolCallsMessageSchema.safeParse(body.data.message);
    if (!message.success) {
      throw new AppError({
        httpStatus: 400,
        code: 'invalid_message',
        message: 'message must be a Vapi tool-calls message',
        details: describeIssues(message.error, ['message']),
      });
    }
    const call = listToolCalls(message.data).find((toolCall) => deps.transferToolNames.includes(toolCall.name));
    const args = transferArgumentsSchema.safeParse(call?.arguments ?? {});
    if (!call || !args.success) throw new AppError({ httpStatus: 400, code: 'invalid_message', message: 'the message has no valid transfer tool call' });
    const number = callerNumber(message.data);
    const words = callerWords(message.data);
    const customer = await profileOf(deps.crm, args.data.customerId, number);
    const policy = routingPolicyOf(deps.contactCenter);
    // As a transfer decides: rules 1-7 here, rules 8-11 (and "waits in line") by the floor, on a copy of it.
    const rules = routeRules(
      routingInput(
        { ...args.data, ...(number ? { callerNumber: number } : {}) },
        { customer, tone: deps.tone.assess(words ?? ''), policy: { ...policy, agents: [] }, agents: {}, at: body.data.at ?? new Date().toISOString() },
      ),
    );
    const criteria = criteriaOf(rules);
    const reservation = criteria ? await deps.floor.dryRun(criteria, { priority: priorityClass(customer.tier, args.data.urgency ?? 'medium') }) : null;
    const destinations = Object.fromEntries(policy.agents.map((agent) => [agent.id, agent.destination]));
    const decision = decideWithFloor(rules, reservation ? { reservation, destinations } : { unreserved: 'no agent needed' });
    res.json({
      department: decision.department,
      label: destinationLabel(decision, policy),
      office: decision.trace.office,
      language: decision.trace.language,
      mode: decision.mode,
      destination: decision.destination,
      agentId: decision.agentId,
      reasons: decision.reasons,
      candidates: decision.trace.candidates,
      fallbacks: decision.fallbacks.map((fallback) => fallback.label),
      waitsInLine: decision.queued ? { position: decision.queued.position, waiting: decision.queued.waiting, estimateSeconds: decision.queued.estimateSeconds } : null,
    });
  });
  /**
   * Which recorded transfers a candidate routing file (or this code) would have sent elsewhere, and why.
   * Reads histories only: nothing is started, reserved or sent.
   */
  router.post('/routing/diff', async (req, res) => {
    if (!deps.transfers) throw new AppError({ httpStatus: 404, code: 'not_found', message: 'no such endpoint' });
    const body = diffBody.safeParse(req.body);
    if (!body.success) throw new AppError({ httpStatus: 400, code: 'invalid_request', message: 'invalid body', details: describeIssues(body.error) });
    let candidate;
    try {
      candidate = body.data.config ? routingPolicyOf(parseContactCenterText(body.data.config, 'config')) : undefined;
    } catch (error) {
      if (!(error instanceof RoutingConfigError)) throw error;
      throw new AppError({ httpStatus: 400, code: 'invalid_routing_config', message: error.message });
    }
    const report = await deps.transfers
      .diffRouting({
        ...(candidate ? { candidate } : {}),
        ...(body.data.since ? { since: body.data.since } : {}),
        ...(body.data.query ? { query: body.data.query } : {}),
        ...(body.data.limit ? { limit: body.data.limit } : {}),
      })
      .catch((error: unknown) => {
        if (error instanceof TransferConsoleError) throw new AppError({ httpStatus: 400, code: error.code, message: error.message });
        throw error;
      });
    res.json(report);
  });
  return router;
}
