/**
 * What became of the call, as the note the receiving agent reads says it. Every CRM adapter stores these; a
 * note only ever moves forward (the CRM layer's `canMoveNote`), so a late compensation never rewrites what the
 * agent was told.
 */
export const TRANSFER_NOTE_STATUSES = [
  /** Written; the transfer is under way. */
  'pending-transfer',
  /** No agent yet: the caller waits in line. */
  'waiting-in-line',
  /** The call reached the agent. */
  'transferred',
  /** The transfer did not happen (the compensation of a failed transfer). */
  'not-transferred',
  /** The transfer may or may not have reached the caller (the call-control request's answer was lost, …). */
  'outcome-unknown',
  /** The caller hung up while waiting. */
  'abandoned',
  /** The caller was promised a call back. */
  'callback-promised',
  /** The promised call back did not happen in time, or nobody answered it. */
  'callback-missed',
  /** The call back was attempted and failed. */
  'callback-failed',
] as const;

export type TransferNoteStatus = (typeof TRANSFER_NOTE_STATUSES)[number];
