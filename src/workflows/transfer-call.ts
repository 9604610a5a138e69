import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  TimeoutFailure,
  allHandlersFinished,
  condition,
  isCancellation,
  log,
  sleep,
  patched,
  proxyActivities,
  proxySinks,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { TransferSinks } from '../contracts';
import {
  ANONYMOUS_CUSTOMER,
  CustomerTierAttribute,
  FailureType,
  TransferDepartment,
  TransferOutcomeAttribute,
  callEventSignal,
  classifyEndedReason,
  decideDestinationUpdate,
  transferStatusQuery,
} from '../contracts';
import type {
  CallDestination,
  CallEvent,
  CallOutcomeKind,
  CustomerProfile,
  FallbackTarget,
  RoutingPolicy,
  ToneAssessment,
  RoutingDecision,
  StepRecord,
  TransferOutcome,
  TransferRequest,
  TransferResult,
  TransferStatus,
  TransferStepName,
} from '../contracts';
import { finalizeDecision, route } from '../routing/pipeline';
import { Compensations } from './saga';

// Retry tiers. Lookups are cheap and idempotent; the transfer itself has a hard deadline because the caller is
// waiting, and never retries a request that may already have reached Vapi.
const lookups = proxyActivities<Activities>({
  startToCloseTimeout: '5s',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '2s', maximumAttempts: 3 },
});

const callControl = proxyActivities<Activities>({
  startToCloseTimeout: '5s',
  scheduleToCloseTimeout: '20s',
  retry: {
    initialInterval: '250ms',
    backoffCoefficient: 2,
    maximumInterval: '2s',
    nonRetryableErrorTypes: [FailureType.ControlUrlRejected, FailureType.TransferOutcomeUnknown, FailureType.NoDestination],
  },
});

/**
 * One attempt per activity: with {@link PATCH_TRANSFER_ATTEMPTS} the workflow decides about every retry of
 * the transfer, because a server-side retry after a timed-out attempt (a worker killed mid-POST) would
 * send the transfer again blindly.
 */
const callControlOnce = proxyActivities<Activities>({
  startToCloseTimeout: '5s',
  retry: { maximumAttempts: 1 },
});

/** Attempts of a transfer Vapi answered 5xx or never received (250 ms, doubling, at most 2 s apart). */
export const TRANSFER_ATTEMPTS = 8;

const { transferMetrics } = proxySinks<TransferSinks>();

const compensations = proxyActivities<Activities>({
  startToCloseTimeout: '5s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '5s', maximumAttempts: 10 },
});


/**
 * Patch: listen to what Vapi reports about the call (caller hung up → stop; forwarded / not connected →
 * record), wait for that outcome after the transfer, and answer transfer-destination-requests. Histories
 * recorded before it replay along the old path.
 */
export const PATCH_CALL_EVENTS = 'call-events-and-outcome';

/**
 * Patch (on top of {@link PATCH_CALL_EVENTS}): the routing engine. Routing rules as a pure pipeline over the
 * routing file (an activity result), tone and agents' live state; reservations in the agent-pool workflow;
 * the fallback chain when a transfer does not connect; the decision trace in the memo and the CRM note.
 */
export const PATCH_ROUTING_ENGINE = 'routing-engine';

/**
 * Patch (on top of {@link PATCH_ROUTING_ENGINE}): a transfer sent to Vapi cannot be taken back by cancelling.
 * The control POST completes even when a cancel arrives while it is in flight, and a cancel after it ends
 * the wait for the outcome as `transfer-initiated` without compensating: the summary stays "transferred"
 * and the agent keeps the reservation until its TTL, because the caller is on their way to that agent.
 */
export const PATCH_TRANSFER_SURVIVES_CANCEL = 'transfer-survives-cancel';

/**
 * Patch (on top of {@link PATCH_TRANSFER_SURVIVES_CANCEL}): the workflow, not the server, retries the transfer
 * POST. Attempts Vapi refused to take (5xx, connection refused) are retried with backoff; an attempt whose
 * fate is unknown (the answer was lost, or the worker died mid-POST and the attempt timed out) is never
 * repeated blindly: Switchboard waits for Vapi's report, then asks Vapi's API, and sends once more only when
 * Vapi says the caller is still with the assistant and nothing was reported.
 */
export const PATCH_TRANSFER_ATTEMPTS = 'transfer-attempts-in-workflow';

/** A reservation outlives a transfer whose outcome never arrives by this much at most. */
export const RESERVATION_TTL_SECONDS = 15 * 60;

/** Without a word from Vapi this long after a transfer, ask whether the caller is still with the assistant. */
export const DEFAULT_FALLBACK_CHECK_SECONDS = 30;

/** Default wait for Vapi to report the outcome of an executed transfer. */
export const DEFAULT_OUTCOME_TIMEOUT_SECONDS = 120;

export const SORRY_MESSAGE =
  "I'm sorry, I couldn't connect you to a colleague just now. Please stay on the line and I'll keep helping you.";

/**
 * One transfer request, from the caller's words to the control `transfer`: enrich the caller from the CRM,
 * pick and reserve an agent, post the summary, then POST the transfer to the call's controlUrl.
 *
 * Guarantees: at most one control `transfer` per run (the API's workflow id policy makes that one per tool
 * call); if a step fails after others succeeded, their compensations run newest first and cannot be
 * cancelled; the caller is told when the transfer cannot be made. The summary and a CRM outage never block
 * the transfer. Fails with {@link FailureType.TransferFailed}; ends cancelled when cancelled.
 */
export async function transferCall(request: TransferRequest): Promise<TransferResult> {
  const transferId = workflowInfo().workflowId;
  const followsCall = patched(PATCH_CALL_EVENTS);
  const routingEngine = followsCall && patched(PATCH_ROUTING_ENGINE);
  const destinationRequest = followsCall && request.mode === 'destination-request';
  const status: TransferStatus = {
    callId: request.callId,
    toolCallId: request.toolCallId,
    stage: 'received',
    steps: [],
    decision: null,
    outcome: null,
    failure: null,
    ...(followsCall ? { callEvents: [] } : {}),
  };
  setHandler(transferStatusQuery, () => status);

  // What Vapi said about the call: `ended` wins over everything, `forwarding` confirms the transfer.
  let reported: { kind: CallOutcomeKind; endedReason: string | null } | null = null;
  setHandler(callEventSignal, (event: CallEvent) => {
    status.callEvents?.push(event);
    if (status.callEvents && status.callEvents.length > 20) status.callEvents.shift();
    if (event.kind === 'ended') reported = { kind: classifyEndedReason(event.endedReason), endedReason: event.endedReason };
    else if (reported === null) reported = { kind: 'transferred', endedReason: null }; // forwarding or transfer-update
  });
  const callEndedBeforeTransfer = () => reported !== null && reported.kind !== 'transferred';

  setHandler(decideDestinationUpdate, async () => {
    await condition(() => status.decision !== null || status.failure !== null);
    const decided = status.decision;
    if (!decided || status.failure) {
      throw ApplicationFailure.nonRetryable(status.failure?.message ?? 'no destination', FailureType.NoDestination);
    }
    return { destination: planned(decided), announcement: announcement(decided) };
  });

  /** The destination as sent: the routing engine's already carries its plan and the agent's message. */
  function planned(decided: RoutingDecision): CallDestination {
    return routingEngine ? decided.destination : { ...decided.destination, transferPlan: { mode: decided.mode } };
  }

  /** Stops the forward steps once the caller has gone: nothing left to transfer. */
  function stopIfCallEnded(): void {
    if (followsCall && callEndedBeforeTransfer()) {
      throw ApplicationFailure.nonRetryable(`call ended (${reported?.endedReason ?? 'no reason given'})`, FailureType.CallEnded);
    }
  }

  /** After the transfer: wait for Vapi's word on it, bounded, and turn that into the outcome. */
  async function awaitOutcome(options: { checkCaller?: boolean } = {}): Promise<TransferOutcome> {
    status.stage = 'awaiting-outcome';
    const timeoutMs = (request.outcomeTimeoutSeconds ?? DEFAULT_OUTCOME_TIMEOUT_SECONDS) * 1000;
    if (options.checkCaller) {
      // Vapi reports failed warm transfers itself; a silent one may mean the caller is back with the
      // assistant. Ask Vapi (not guess) before trying the next destination.
      const checkMs = Math.min(timeoutMs, (request.fallbackCheckSeconds ?? DEFAULT_FALLBACK_CHECK_SECONDS) * 1000);
      if (!(await condition(() => reported !== null, checkMs))) {
        const call = await step('checkCallState', () =>
          lookups.checkCallState.executeWithOptions({ summary: 'Ask Vapi whether the caller is still with the assistant' }, [
            { callId: request.callId },
          ]),
        ).catch(() => ({ status: null }));
        if (call.status === 'in-progress' && reported === null) return 'not-connected';
      }
    }
    await condition(() => reported !== null, timeoutMs);
    const heard = reported as { kind: CallOutcomeKind } | null;
    if (!heard) return 'transfer-initiated';
    switch (heard.kind) {
      case 'transferred':
        return 'transferred';
      case 'not-connected':
        return 'not-connected';
      case 'caller-hung-up':
        return 'caller-hung-up';
      case 'call-ended':
        return 'transfer-initiated';
    }
  }

  async function step<T>(name: TransferStepName, run: () => Promise<T>): Promise<T> {
    const record: StepRecord = { name, status: 'running', startedAt: new Date().toISOString() };
    status.steps.push(record);
    try {
      const result = await run();
      record.status = 'completed';
      return result;
    } catch (error) {
      record.status = 'failed';
      record.error = describeFailure(error);
      throw error;
    } finally {
      record.finishedAt = new Date().toISOString();
    }
  }

  const saga = new Compensations();
  let decision: RoutingDecision | null = null;
  /** Set once the transfer is in Vapi's hands (with the patch): from then on a cancel only ends the wait. */
  let transferSent = false;
  /** The transfer POST went out but its answer was lost. */
  let sentUnconfirmed = false;
  let shielded = false;
  let attemptsInWorkflow = false;
  /** Runs a control POST so that, with the patch, a cancel cannot abandon it half-way. */
  const send = <T>(post: () => Promise<T>): Promise<T> => (shielded ? CancellationScope.nonCancellable(post) : post());
  let routingPolicy: RoutingPolicy | null = null;
  try {
    status.stage = 'enriching';
    const routed = routingEngine ? await routeWithEngine() : await routeSimply();
    const customer = routed.customer;
    decision = routed.decision;
    status.decision = decision;
    if (decision.department) upsertSearchAttributes([{ key: TransferDepartment, value: decision.department }]);
    setCurrentDetails(describeDecision(decision, customer.tier, request.urgency));
    if (decision.trace) upsertMemo({ routing: { decidedBy: decision.decidedBy, reasons: decision.reasons, candidates: decision.trace.candidates } });
    const agentId = decision.agentId;
    if (agentId) {
      saga.add('releaseAgent', async () => {
        await releaseHeldAgent(agentId, `Release agent ${agentId}`);
      });
    }

    stopIfCallEnded();

    status.stage = 'summarizing';
    const decided = decision;
    try {
      const note = await step('postSummary', () =>
        lookups.postSummary.executeWithOptions({ summary: 'Post the conversation summary to the CRM' }, [
          { transferId, customer, decision: decided, reason: request.reason, urgency: request.urgency, callerWords: request.callerWords },
        ]),
      );
      saga.add('markSummaryNotTransferred', () =>
        step('markSummaryNotTransferred', () =>
          compensations.markSummaryNotTransferred.executeWithOptions({ summary: 'Mark the CRM summary as not transferred' }, [
            { noteId: note.noteId, reason: 'transfer not completed' },
          ]),
        ),
      );
    } catch (error) {
      if (isCancellation(error)) throw error;
      // The agent can do without the note; the caller cannot do without the transfer.
      log.warn('summary not posted; transferring without it', { error: describeFailure(error) });
    }

    shielded = routingEngine && patched(PATCH_TRANSFER_SURVIVES_CANCEL);
    attemptsInWorkflow = shielded && patched(PATCH_TRANSFER_ATTEMPTS);
    if (destinationRequest) {
      // Vapi executes this transfer itself: keep the reservation and the note until it says how it went.
      transferSent = shielded;
      const outcome = await awaitOutcome();
      await settle(outcome);
      return { outcome, decision };
    }

    stopIfCallEnded();
    const controlUrl = request.controlUrl;
    if (!controlUrl) throw ApplicationFailure.nonRetryable('the call has no controlUrl', FailureType.NoDestination);
    status.stage = 'transferring';
    let outcomeUnknown = false;
    try {
      await sendTransfer(`Transfer to ${decided.agentId ? `agent ${decided.agentId}` : `${decided.department ?? 'general'} line`}`, {
        callId: request.callId,
        controlUrl,
        destination: planned(decided),
        content: announcement(decided),
      });
      transferSent = shielded;
      transferMetrics.executed({ department: decided.department, receivedAt: request.receivedAt });
    } catch (error) {
      // Without the patch an unknown outcome fails the transfer; with it, Vapi's own reports decide.
      if (!followsCall || failureType(error) !== FailureType.TransferOutcomeUnknown) throw error;
      outcomeUnknown = true;
      transferSent = shielded;
      sentUnconfirmed = true;
      log.warn('transfer outcome unknown; waiting for Vapi to report the call instead of resending');
    }
    if (!followsCall) {
      finish('completed', 'transfer-initiated');
      return { outcome: 'transfer-initiated', decision };
    }
    let outcome = await awaitOutcome({ checkCaller: routingEngine && !outcomeUnknown });
    if (outcomeUnknown && outcome === 'transfer-initiated') outcome = 'unknown';
    // Only a caller Vapi says is still with the assistant can be put through elsewhere; an ended call cannot.
    if (routingEngine && outcome === 'not-connected' && reported === null) outcome = await followFallbackChain(controlUrl, decided);
    await settle(outcome);
    return { outcome, decision: status.decision };
  } catch (error) {
    const cancelled = isCancellation(error);
    if (cancelled && (transferSent || sentUnconfirmed)) {
      // Cancelled after the transfer reached Vapi: nothing can be undone, so nothing is compensated.
      log.info('cancelled while waiting for the outcome of a transfer already sent; keeping it');
      const outcome: TransferOutcome = sentUnconfirmed ? 'unknown' : 'transfer-initiated';
      finish('completed', outcome);
      await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
      return { outcome, decision: status.decision };
    }
    const unknown = failureType(error) === FailureType.TransferOutcomeUnknown;
    const callerGone = failureType(error) === FailureType.CallEnded;
    status.stage = 'compensating';
    status.failure = { type: failureType(error) ?? (cancelled ? 'Cancelled' : 'Error'), message: describeFailure(error) };
    await CancellationScope.nonCancellable(async () => {
      if (unknown) {
        // The transfer may have gone through: keep the reservation (its TTL frees it) and say nothing that
        // could talk over a connected call.
        log.warn('transfer outcome unknown; keeping the reservation and not retrying');
        return;
      }
      await saga.run((compensation) => transferMetrics.compensated({ compensation }));
      // Nobody to tell on a hung-up call, and on the destination-request path Vapi speaks our error itself.
      if (!cancelled && !callerGone && !destinationRequest) await tellCaller(request, SORRY_MESSAGE);
    });
    if (callerGone) {
      finish('completed', 'caller-hung-up');
      await condition(allHandlersFinished);
      return { outcome: 'caller-hung-up', decision };
    }
    if (cancelled) {
      finish('cancelled', 'cancelled');
      throw error;
    }
    finish('failed', unknown ? 'unknown' : 'failed');
    // A pending decideDestination update must get its answer (the failure) before the run closes.
    if (followsCall) await condition(allHandlersFinished);
    throw ApplicationFailure.create({
      type: FailureType.TransferFailed,
      message: `transfer ${unknown ? 'outcome unknown' : 'failed'} at ${lastFailedStep(status) ?? 'an unknown step'}: ${status.failure.message}`,
      nonRetryable: true,
      cause: error instanceof Error ? error : undefined,
    });
  }

  /** Records the outcome; the agent is released once the outcome is known, or by its TTL when it is not. */
  async function settle(outcome: TransferOutcome): Promise<void> {
    const agentId = status.decision?.agentId;
    const known = outcome === 'transferred' || outcome === 'not-connected' || outcome === 'caller-hung-up';
    if (agentId && known) {
      await CancellationScope.nonCancellable(() => releaseHeldAgent(agentId, `Release agent ${agentId}: call ${outcome}`)).catch(
        (error: unknown) => log.warn('could not release agent', { error: describeFailure(error) }),
      );
    }
    finish(outcome === 'not-connected' ? 'failed' : 'completed', outcome);
    await condition(allHandlersFinished);
  }

  /** The CRM lookup; an outage routes the caller as anonymous instead of failing the transfer. */
  function enrichCustomer(): Promise<CustomerProfile> {
    return step('enrichCustomer', () =>
      lookups.enrichCustomer.executeWithOptions({ summary: 'Look up the caller in the CRM' }, [
        { customerId: request.customerId, callerNumber: request.callerNumber },
      ]),
    ).catch((error: unknown): CustomerProfile => {
      if (isCancellation(error)) throw error;
      log.warn('CRM lookup failed; routing with defaults', { error: describeFailure(error) });
      return { ...ANONYMOUS_CUSTOMER, degraded: true };
    });
  }

  /** Before the routing engine: department line or first qualified agent, decided and reserved by one activity. */
  async function routeSimply(): Promise<{ customer: CustomerProfile; decision: RoutingDecision }> {
    const customer = await enrichCustomer();
    upsertSearchAttributes([{ key: CustomerTierAttribute, value: customer.tier }]);
    stopIfCallEnded();
    status.stage = 'routing';
    const decided = await step('pickAgent', () =>
      lookups.pickAgent.executeWithOptions({ summary: 'Choose and reserve an agent' }, [
        { transferId, department: request.department, reason: request.reason, language: customer.language },
      ]),
    );
    return { customer, decision: decided };
  }

  /**
   * The routing engine: the four inputs are fetched at once, the pure pipeline decides, and the agent pool
   * reserves the first of the ranked agents that still has room.
   */
  async function routeWithEngine(): Promise<{ customer: CustomerProfile; decision: RoutingDecision }> {
    const neutral: ToneAssessment = { score: 0, angry: false, negativeWords: 0 };
    const [customer, policy, tone, agents] = await Promise.all([
      enrichCustomer(),
      step('loadRoutingPolicy', () => lookups.loadRoutingPolicy.executeWithOptions({ summary: 'Load the routing configuration' }, [])),
      step('assessTone', () =>
        lookups.assessTone.executeWithOptions({ summary: "Judge the caller's tone" }, [{ words: request.callerWords }]),
      ).catch((error: unknown): ToneAssessment => {
        if (isCancellation(error)) throw error;
        return neutral;
      }),
      step('loadAgentStates', () => lookups.loadAgentStates.executeWithOptions({ summary: "Read agents' live state" }, [])),
    ] as const);
    routingPolicy = policy;
    upsertSearchAttributes([{ key: CustomerTierAttribute, value: customer.tier }]);
    stopIfCallEnded();
    status.stage = 'routing';
    const result = route({
      ...(request.department ? { department: request.department } : {}),
      ...(request.reason ? { reason: request.reason } : {}),
      urgency: request.urgency,
      ...(request.callerNumber ? { callerNumber: request.callerNumber } : {}),
      customer,
      tone,
      policy,
      agents,
      at: new Date().toISOString(),
    });
    const reserved = result.ranked.length > 0 ? await reserve(policy, result.ranked, `Reserve agent ${result.ranked[0]}`) : null;
    return { customer, decision: finalizeDecision(result, reserved) };
  }

  async function reserve(policy: RoutingPolicy, agentIds: string[], summary: string): Promise<string | null> {
    const capacity = new Map(policy.agents.map((agent) => [agent.id, agent.maxConcurrent]));
    const { agentId } = await step('reserveAgent', () =>
      lookups.reserveAgent.executeWithOptions({ summary }, [
        {
          transferId,
          candidates: agentIds.map((id) => ({ agentId: id, maxConcurrent: capacity.get(id) ?? 1 })),
          ttlSeconds: RESERVATION_TTL_SECONDS,
        },
      ]),
    );
    return agentId;
  }

  /** Frees the agent this transfer holds: in the agent pool, or in the simple router's memory before it. */
  function releaseHeldAgent(agentId: string, summary: string): Promise<unknown> {
    return routingEngine
      ? step('releaseAgent', () => compensations.releaseAgentReservation.executeWithOptions({ summary }, [{ transferId }]))
      : step('releaseAgent', () => compensations.releaseAgent.executeWithOptions({ summary }, [{ transferId, agentId }]));
  }

  /**
   * The destination did not connect and the caller is still with the assistant: the next qualified agent,
   * then the department line, then the general line, each announced to the caller. Bounded by the chain
   * routing produced, so it always ends.
   */
  async function followFallbackChain(controlUrl: string, first: RoutingDecision): Promise<TransferOutcome> {
    const chain: FallbackTarget[] = [...(first.fallbacks ?? [])];
    let current: RoutingDecision = first;
    let outcome: TransferOutcome = 'not-connected';
    while (outcome === 'not-connected') {
      const next = chain.shift();
      if (!next) break;
      if (current.agentId) await releaseHeldAgent(current.agentId, `Release agent ${current.agentId}: no answer`);
      if (next.agentId && routingPolicy) {
        const reserved = await reserve(routingPolicy, [next.agentId], `Reserve agent ${next.agentId} (fallback)`);
        if (!reserved) continue;
      }
      transferMetrics.fallback({ department: current.department });
      const reasons = [...current.reasons, `${current.agentId ? `Agent ${current.agentId}` : 'That line'} did not connect: falling back to ${next.label}.`];
      current = { ...current, agentId: next.agentId, destination: next.destination, mode: next.mode, reasons, decidedBy: 'fallback', fallbacks: chain };
      status.decision = current;
      reported = null;
      status.stage = 'transferring';
      await sendTransfer(`Fallback: transfer to ${next.label}`, {
        callId: request.callId,
        controlUrl,
        destination: next.destination,
        content: `Sorry, nobody picked up there. Let me try the ${next.label.replace(/^agent .*/, 'next colleague')} for you.`,
      });
      outcome = await awaitOutcome({ checkCaller: true });
      if (reported !== null) break;
    }
    if (outcome === 'not-connected') await tellCaller(request, SORRY_MESSAGE);
    return outcome;
  }

  /**
   * The control `transfer`. Before {@link PATCH_TRANSFER_ATTEMPTS}: one activity, retried by the server. With
   * it: one activity per attempt, and after an attempt of unknown fate at most one more, only when Vapi says
   * the caller is still waiting. Throws TransferOutcomeUnknown when it cannot be sure either way.
   */
  async function sendTransfer(summary: string, input: Parameters<Activities['executeTransfer']>[0]): Promise<void> {
    if (!attemptsInWorkflow) {
      await send(() => step('executeTransfer', () => callControl.executeTransfer.executeWithOptions({ summary }, [input])));
      return;
    }
    let checkedAfterDoubt = false;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await send(() =>
          step('executeTransfer', () =>
            callControlOnce.executeTransfer.executeWithOptions({ summary: attempt > 1 ? `${summary} (attempt ${attempt})` : summary }, [input]),
          ),
        );
        sentUnconfirmed = false;
        return;
      } catch (error) {
        if (isCancellation(error)) throw error;
        const type = failureType(error);
        if (type === FailureType.ControlUrlUnavailable && attempt < TRANSFER_ATTEMPTS) {
          await sleep(Math.min(250 * 2 ** (attempt - 1), 2_000));
          continue;
        }
        const timedOut = error instanceof ActivityFailure && error.cause instanceof TimeoutFailure;
        if (type !== FailureType.TransferOutcomeUnknown && !timedOut) throw error;
        // From here a cancel must not compensate: the transfer may be with Vapi already.
        sentUnconfirmed = true;
        if (checkedAfterDoubt || !(await callerStillWaiting())) {
          throw ApplicationFailure.nonRetryable('the transfer may have reached Vapi; not sent again', FailureType.TransferOutcomeUnknown);
        }
        checkedAfterDoubt = true;
        log.warn('transfer attempt of unknown fate; Vapi says the caller is still waiting and reported nothing: sending once more');
      }
    }
  }

  /** After an attempt of unknown fate: true only when Vapi reported nothing and its API says the call is still in progress. */
  async function callerStillWaiting(): Promise<boolean> {
    const waitMs = (request.fallbackCheckSeconds ?? DEFAULT_FALLBACK_CHECK_SECONDS) * 1000;
    if (await condition(() => reported !== null, waitMs)) return false;
    const call = await step('checkCallState', () =>
      lookups.checkCallState.executeWithOptions({ summary: 'Ask Vapi whether the transfer reached the call' }, [{ callId: request.callId }]),
    ).catch(() => ({ status: null }));
    return call.status === 'in-progress' && reported === null;
  }

  function finish(stage: TransferStatus['stage'], outcome: TransferOutcome): void {
    status.stage = stage;
    status.outcome = outcome;
    transferMetrics.finished({ department: status.decision?.department ?? null, outcome });
    upsertSearchAttributes([{ key: TransferOutcomeAttribute, value: outcome }]);
  }

  async function tellCaller(req: TransferRequest, content: string): Promise<void> {
    const controlUrl = req.controlUrl;
    if (!controlUrl) return;
    try {
      await step('sayToCaller', () =>
        compensations.sayToCaller.executeWithOptions(
          { summary: 'Tell the caller the transfer did not happen', retry: { maximumAttempts: 3 } },
          [{ callId: req.callId, controlUrl, content }],
        ),
      );
    } catch (error) {
      log.warn('could not tell the caller', { error: describeFailure(error) });
    }
  }
}

/** The Web UI's "current details": the static summary completed with what routing found out. */
function describeDecision(decision: RoutingDecision, tier: string, urgency: string): string {
  const target = decision.agentId ? `agent ${decision.agentId}` : `${decision.department ?? 'general'} line`;
  return `Transfer: ${decision.department ?? 'general'}, ${tier}, ${urgency} urgency → ${target} (${decision.mode}), decided by ${decision.decidedBy}`;
}

function announcement(decision: RoutingDecision): string {
  return decision.department ? `Connecting you to ${decision.department} now.` : 'Connecting you to a colleague now.';
}

function failureType(error: unknown): string | undefined {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
}

/** Failure text for queries and the failure message: activity failures carry data-free messages by design. */
function describeFailure(error: unknown): string {
  if (error instanceof ActivityFailure) {
    const cause = error.cause;
    if (cause instanceof ApplicationFailure) return `${cause.type ?? 'Error'}: ${cause.message}`;
    if (cause) return `${cause.name}: ${cause.message}`;
  }
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function lastFailedStep(status: TransferStatus): TransferStepName | undefined {
  return [...status.steps].reverse().find((record) => record.status === 'failed')?.name;
}
