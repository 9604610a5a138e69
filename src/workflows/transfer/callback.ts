import { ParentClosePolicy, WorkflowIdReusePolicy, condition, log, setHandler, startChild } from '@temporalio/workflow';
import type { CallbackAnswer, CallbackAsk, CallbackWorkflow, LinePlace } from '../../contracts';
import { CALLBACK_WORKFLOW_TYPE, callbackWorkflowId, requestCallbackUpdate } from '../../contracts';
import { criteriaOf } from '../../routing/pipeline';
import { floor, reads } from './activities';
import { describeFailure } from './describe';
import type { Routed } from './routing';
import { lineFor } from './routing';
import type { TransferState } from './state';
import { markNote } from './summary';

/**
 * The assistant may ask a waiting transfer for a callback (the `request_callback` tool, through the API). The
 * update is answered by the main loop of the wait (see `waitInLine`), which alone changes the line; asking
 * twice gets the first answer, so nothing is promised twice.
 */
export function registerCallbackHandler(transfer: TransferState): void {
  setHandler(
    requestCallbackUpdate,
    async (ask) => {
      if (transfer.callbackAnswer?.promised) return transfer.callbackAnswer;
      if (!transfer.waiting) return { promised: false, message: 'The caller is not waiting in line, so there is no place to keep for a call back.' };
      if (!transfer.request.callbacks || !transfer.waiting.callbacks) return { promised: false, message: 'Call backs are not offered for this line: the caller can keep waiting with you.' };
      if (transfer.callbackAsked) {
        // Asked twice at once: both get the one answer, so nothing is promised twice.
        await condition(() => transfer.callbackAsked === null);
        return transfer.callbackAnswer!;
      }
      transfer.callbackAnswer = null;
      transfer.callbackAsked = ask;
      await condition(() => transfer.callbackAnswer !== null);
      return transfer.callbackAnswer!;
    },
    {
      validator: (ask) => {
        if (ask === null || typeof ask !== 'object') throw new Error('a callback request is an object');
        if (ask.notBefore !== undefined && (typeof ask.notBefore !== 'string' || Number.isNaN(Date.parse(ask.notBefore)))) throw new Error('notBefore must be an ISO 8601 time');
      },
    },
  );
}

/**
 * Keeps the caller's place for a call back: refused for a time in the past or when no office of theirs is
 * open then (the answer says when one opens); otherwise the callback workflow starts (one per call, outliving
 * this transfer) and takes this transfer's place in line, keeping when the caller joined. The answer is what
 * the assistant says.
 */
export async function promiseCallback(transfer: TransferState, routed: Routed, place: LinePlace, ask: CallbackAsk): Promise<CallbackAnswer> {
  const criteria = criteriaOf(routed.rules)!;
  const { request } = transfer;
  const customerNumber = request.callerNumber;
  if (!customerNumber) return { promised: false, message: "The caller's number is not known, so they cannot be called back: they can keep waiting with you." };
  const now = Date.now();
  const notBefore = ask.notBefore ? Date.parse(ask.notBefore) : undefined;
  if (notBefore !== undefined && notBefore < now - 60_000) return { promised: false, message: 'That time has passed: ask the caller for a later time, or offer to call back as soon as an agent is free.' };
  const at = new Date(Math.max(notBefore ?? now, now)).toISOString();
  // The simulator's as-of time (npm start's embedded mode): office hours are read at that time of day.
  const asOfOffsetMs = request.routeAt ? Date.parse(request.routeAt) - Date.parse(request.receivedAt) : 0;
  const window = await transfer.step(
    'officeWindow',
    () => reads.officeWindow.executeWithOptions({ summary: 'Is an office open for the call back?' }, [{ offices: criteria.candidateOffices, at: new Date(Date.parse(at) + asOfOffsetMs).toISOString() }]),
    (error) => {
      log.warn('office hours not read for a callback', { error: describeFailure(error) });
      return null;
    },
  );
  if (!window) return { promised: false, message: 'A call back cannot be arranged just now: the caller can keep waiting with you.' };
  if (!window.open) {
    const opens = window.nextOpenAt ? ` The next opening is ${window.nextOpenAt} (UTC); offer that time.` : '';
    return { promised: false, message: `Nobody is in the office at that time.${opens}` };
  }
  const callbackId = callbackWorkflowId(transfer.request.callId);
  const line = lineFor(transfer, routed.rules)!;
  const decision = transfer.decision!;
  const later = notBefore !== undefined && notBefore > now;
  const expectedAt = new Date(Math.max(notBefore ?? now, now + place.estimateSeconds * 1000)).toISOString();
  const when = later ? `after ${ask.notBefore}` : `in about ${Math.max(1, Math.round(place.estimateSeconds / 60))} minutes, when an agent is free`;
  const answer: CallbackAnswer = { promised: true, callbackId, expectedAt, message: `Promise the caller a call back ${when}, from this same number, keeping their place in line. They may hang up now.` };
  const started = await transfer.step('promiseCallback', () =>
    startChild<CallbackWorkflow>(CALLBACK_WORKFLOW_TYPE, {
      workflowId: callbackId,
      // The promise outlives this transfer, which ends as soon as the caller has it.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      args: [
        {
          callbackId,
          transferId: transfer.transferId,
          callId: transfer.request.callId,
          ...(transfer.request.assistantId ? { assistantId: transfer.request.assistantId } : {}),
          customerNumber,
          customer: transfer.customer!,
          department: place.department,
          criteria,
          basePass: place.basePass,
          priority: line.priority,
          joinedAt: place.joinedAt,
          ...(notBefore !== undefined && notBefore > now ? { notBefore } : {}),
          decision,
          noteId: transfer.noteId,
          ...(transfer.request.reason ? { reason: transfer.request.reason } : {}),
          attempts: place.callbackAttempts,
          spacingSeconds: place.callbackSpacingSeconds,
          promise: { message: answer.message, expectedAt },
          timings: {
            outcomeTimeoutSeconds: request.outcomeTimeoutSeconds,
            fallbackCheckSeconds: request.fallbackCheckSeconds,
            ...(request.warmDialSeconds !== undefined ? { warmDialSeconds: request.warmDialSeconds } : {}),
          },
          ...(asOfOffsetMs !== 0 ? { asOfOffsetMs } : {}),
        },
      ],
    }).then(
      () => true,
      (error: unknown) => {
        // Another transfer of this call promised one already (one callback per call): this caller keeps waiting.
        // By name: @temporalio/workflow does not re-export the class, and workflows import nothing else of the SDK.
        if (error instanceof Error && error.name === 'WorkflowExecutionAlreadyStartedError') return false;
        throw error;
      },
    ),
  );
  if (!started) return { promised: false, message: 'A call back is already promised for this call: remind the caller of it.' };
  await transfer.step('joinLine', () =>
    floor.joinLine.executeWithOptions({ summary: `The call back takes the caller's place in ${place.department}'s line` }, [
      {
        transferId: callbackId,
        replaces: transfer.transferId,
        criteria,
        basePass: place.basePass,
        priority: line.priority,
        joinedAt: place.joinedAt,
        front: false,
        callback: true,
        ...(notBefore !== undefined && notBefore > now ? { notBefore } : {}),
      },
    ]),
  );
  await markNote(transfer, 'callback-promised', later ? `a call back promised for ${at}` : 'a call back promised as soon as an agent is free');
  return answer;
}
