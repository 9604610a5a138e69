/**
 * The status of the note a transfer writes to the CRM for the receiving agent: what happened to the call, as
 * far as Switchboard knows. Every CRM adapter stores these; a note only ever moves forward (see the CRM
 * layer's transition rule), so a late compensation never rewrites what the agent was told.
 */
export const NOTE_STATUSES = [
  'pending-transfer',
  'waiting-in-line',
  'transferred',
  'not-transferred',
  'outcome-unknown',
  'abandoned',
  'callback-promised',
  'callback-missed',
  'callback-failed',
] as const;
export type NoteStatus = (typeof NOTE_STATUSES)[number];
