/** One webhook delivery as the load generator saw it. A call may be delivered several times (retries, duplicates). */
export interface DeliveryRecord {
  callId: string;
  /** The webhook was answered 2xx: Vapi considers the tool call handled. */
  accepted: boolean;
}

/** One Live Call Control command as the fake control server received it. */
export interface CommandRecord {
  callId: string;
  type: string;
  /** What a `say` said (the hold message, an apology): which kind of "told" the caller heard. */
  said?: string;
}

/** What the accounting needs beyond what was sent and received, when a scenario has it. */
export interface AccountingContext {
  /** The `say` that asks a caller to hold while a transfer's fate is found out. */
  holdMessage?: string;
  /** Each accepted call's outcome as its workflow recorded it (`transferred`, `unknown`, …; `running` when not ended). */
  outcomes?: ReadonlyMap<string, string>;
}

export interface TransferAccounting {
  /** Distinct calls the generator sent. */
  calls: number;
  /** Calls with at least one 2xx answer. */
  acceptedCalls: number;
  /** Calls whose every delivery failed (non-2xx or no answer): Vapi was told, so not counted as lost. */
  refusedCalls: number;
  /** Calls with exactly one control `transfer`. */
  executedOnce: number;
  /** Accepted calls that got neither a `transfer` nor a `say`: dropped in silence, the failure this project exists to prevent. */
  lost: number;
  /** Accepted calls not transferred but whose caller was told so (a handled failure, not a lost one). */
  failedAndTold: number;
  /**
   * Accepted calls Vapi never acted on a transfer for, whose caller heard the hold message and whose workflow
   * recorded `unknown` (a POST of unknown fate, not resent): the explicit unknown the promise allows. Counted
   * only when outcomes are known; else such calls are in failedAndTold.
   */
  unknownButTold: number;
  /** Calls transferred exactly once whose caller first heard the hold message: a doubt that resolved. */
  heldThenTransferred: number;
  /** Recorded outcomes of the accepted calls, by outcome (empty when outcomes are not known). */
  outcomes: Record<string, number>;
  /** Calls that got more than one `transfer`. */
  doubled: number;
  /** Refused calls that were transferred anyway (once): not harmful, but Vapi was told otherwise. */
  executedDespiteRefusal: number;
  /** Calls that received a `say` command (the caller heard that the transfer failed). */
  callersTold: number;
  /** Commands for calls the generator never sent: a harness or routing bug. */
  strayCommands: number;
  lostCallIds: string[];
  doubledCallIds: string[];
  failedAndToldCallIds: string[];
  unknownButToldCallIds: string[];
}

/** Joins what was sent with what the control URL received. Pure, so the arithmetic is unit-tested. */
export function accountTransfers(deliveries: readonly DeliveryRecord[], commands: readonly CommandRecord[], context: AccountingContext = {}): TransferAccounting {
  const accepted = new Map<string, boolean>();
  for (const delivery of deliveries) accepted.set(delivery.callId, (accepted.get(delivery.callId) ?? false) || delivery.accepted);
  const transfers = new Map<string, number>();
  const told = new Set<string>();
  const held = new Set<string>();
  let strayCommands = 0;
  for (const command of commands) {
    if (!accepted.has(command.callId)) {
      strayCommands += 1;
      continue;
    }
    if (command.type === 'transfer') transfers.set(command.callId, (transfers.get(command.callId) ?? 0) + 1);
    else if (command.type === 'say') {
      told.add(command.callId);
      if (context.holdMessage !== undefined && command.said === context.holdMessage) held.add(command.callId);
    }
  }
  const result: TransferAccounting = {
    calls: accepted.size,
    acceptedCalls: 0,
    refusedCalls: 0,
    executedOnce: 0,
    lost: 0,
    failedAndTold: 0,
    unknownButTold: 0,
    heldThenTransferred: 0,
    outcomes: {},
    doubled: 0,
    executedDespiteRefusal: 0,
    callersTold: told.size,
    strayCommands,
    lostCallIds: [],
    doubledCallIds: [],
    failedAndToldCallIds: [],
    unknownButToldCallIds: [],
  };
  for (const [callId, wasAccepted] of accepted) {
    const count = transfers.get(callId) ?? 0;
    if (wasAccepted) result.acceptedCalls += 1;
    else result.refusedCalls += 1;
    const outcome = context.outcomes?.get(callId);
    if (wasAccepted && outcome !== undefined) result.outcomes[outcome] = (result.outcomes[outcome] ?? 0) + 1;
    if (count === 1) result.executedOnce += 1;
    if (count === 1 && held.has(callId)) result.heldThenTransferred += 1;
    if (count > 1) {
      result.doubled += 1;
      result.doubledCallIds.push(callId);
    }
    if (count === 0 && wasAccepted && held.has(callId) && outcome === 'unknown') {
      result.unknownButTold += 1;
      result.unknownButToldCallIds.push(callId);
    } else if (count === 0 && wasAccepted && told.has(callId)) {
      result.failedAndTold += 1;
      result.failedAndToldCallIds.push(callId);
    }
    if (count === 0 && wasAccepted && !told.has(callId)) {
      result.lost += 1;
      result.lostCallIds.push(callId);
    }
    if (count >= 1 && !wasAccepted) result.executedDespiteRefusal += 1;
  }
  return result;
}
