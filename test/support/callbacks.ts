import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { ContactCenter } from '../../src/config/contact-center';
import type { AgentCriteria, CallbackInput, CallbackStatus, CallbackWorkflow, RoutingDecision } from '../../src/contracts';
import { CALLBACK_WORKFLOW_TYPE, callbackStatusQuery, callbackWorkflowId } from '../../src/contracts';
import type { FloorClient } from '../../src/integrations/floor-client';

/** Rules 1-7's answer for the demo's enterprise caller c-1001 (+12125550111, us-east, English) asking for billing. */
export const BILLING_CRITERIA: AgentCriteria = { department: 'billing', candidateOffices: ['us-east'], language: 'en', seniorRequired: false, knownAgent: null, exclude: [] };

/** A contact center in which `agentId` is the only agent of `department`: one reservation makes it busy. */
export function onlyAgentFor(center: ContactCenter, department: string, agentId: string): ContactCenter {
  return { ...center, agents: center.agents.filter((agent) => agent.id === agentId || !agent.skills.includes(department)) };
}

/** The decision a waiting transfer hands its callback: the department's line, blind, as routing leaves it when every agent is busy. */
function lineDecision(center: ContactCenter): RoutingDecision {
  const destination = center.departments.find((department) => department.id === 'billing')!.line;
  return {
    department: 'billing',
    agentId: null,
    destination,
    label: 'billing line',
    mode: 'blind-transfer',
    reasons: ['All 1 qualified agents are busy: waiting in billing\'s line.'],
    decidedBy: 'line',
    agentMessage: 'Maria Lopez (Acme Corp), enterprise, billing: question about my invoice',
    trace: {
      at: new Date().toISOString(),
      department: 'billing',
      office: 'us-east',
      language: 'en',
      seniorRequired: false,
      candidateOffices: ['us-east'],
      relaxation: 'line',
      candidates: [],
      decidedBy: 'line',
      reasons: [],
      choice: { agentId: null, destination },
      ranked: [],
    },
    fallbacks: [],
  };
}

/** What a transfer that promised a callback hands it, for c-1001 in billing; override any field. */
export function callbackInput(center: ContactCenter, overrides: Partial<CallbackInput> = {}): CallbackInput {
  const callId = overrides.callId ?? randomUUID();
  const customer = center.customers.find((candidate) => candidate.id === 'c-1001')!;
  return {
    callbackId: callbackWorkflowId(callId),
    transferId: `transfer:${callId}:call_test`,
    callId,
    assistantId: 'assistant-under-test',
    customerNumber: customer.phone,
    customer: { known: true, customerId: customer.id, displayName: customer.name, tier: customer.tier, language: customer.language ?? 'en', office: customer.office ?? 'us-east', lastAgentId: null, escalations90d: 0 },
    department: 'billing',
    criteria: BILLING_CRITERIA,
    basePass: 'none',
    priority: 2,
    joinedAt: Date.now(),
    decision: lineDecision(center),
    noteId: null,
    reason: 'question about my invoice',
    attempts: 3,
    spacingSeconds: 600,
    promise: { message: 'Promise the caller a call back in about 1 minutes, when an agent is free.', expectedAt: new Date().toISOString() },
    timings: { outcomeTimeoutSeconds: 2, fallbackCheckSeconds: 1, warmDialSeconds: 1 },
    ...overrides,
  };
}

/**
 * Starts a callback as a transfer's promise does, on `taskQueue`, and gives it its place in line on the floor
 * (the transfer's `join-line`); resolves with its handle.
 */
export async function startCallback(client: Client, taskQueue: string, floor: FloorClient, input: CallbackInput): Promise<WorkflowHandle<CallbackWorkflow>> {
  const handle = await client.workflow.start<CallbackWorkflow>(CALLBACK_WORKFLOW_TYPE, { workflowId: input.callbackId, taskQueue, args: [input] });
  await floor.command({
    type: 'join-line',
    transferId: input.callbackId,
    criteria: input.criteria,
    basePass: input.basePass,
    priority: input.priority,
    joinedAt: input.joinedAt,
    front: false,
    callback: true,
    ...(input.notBefore ? { notBefore: input.notBefore } : {}),
  });
  return handle;
}

/** Resolves with the callback's status once `accept` holds. */
export async function callbackReaches(handle: WorkflowHandle<CallbackWorkflow>, accept: (status: CallbackStatus) => boolean, timeoutMs = 30_000): Promise<CallbackStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await handle.query(callbackStatusQuery);
    if (accept(status)) return status;
    if (Date.now() > deadline) throw new Error(`callback never reached the expected state: ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
