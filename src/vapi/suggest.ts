import type { z } from 'zod';
import { TRANSFER_PLAN_MODES } from '../contracts';

/**
 * Turns zod issues about Vapi objects into errors that say what was meant. The most common Vapi transfer
 * bugs are invented mode names (`warm-transfer-with-summary`) and snake_case keys (`transfer_plan`,
 * `caller_id`), which Vapi silently ignores; naming the nearest valid value makes them a one-line fix.
 */

/** Every key of the Vapi objects Switchboard validates (destinations, transfer plans, their parts). */
export const KNOWN_VAPI_KEYS = [
  'type',
  'number',
  'numberE164CheckEnabled',
  'extension',
  'callerId',
  'message',
  'transferPlan',
  'sipUri',
  'sipHeaders',
  'mode',
  'timeout',
  'sipVerb',
  'dialTimeout',
  'twiml',
  'summaryPlan',
  'sipHeadersInReferToEnabled',
  'fallbackPlan',
  'enabled',
  'messages',
  'timeoutSeconds',
  'endCallEnabled',
  'content',
  'role',
] as const;

export function levenshtein(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = previous[j]!;
      previous[j] = Math.min(previous[j]! + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

const squash = (value: string) => value.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The candidate closest to `value`: same letters ignoring case and separators first, then edit distance. */
export function nearest(value: string, candidates: readonly string[]): string | undefined {
  const exact = candidates.find((candidate) => squash(candidate) === squash(value));
  if (exact) return exact;
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = levenshtein(squash(value), squash(candidate));
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  if (!best) return undefined;
  // A suggestion further away than half the word is noise, except among the long mode names.
  return best.distance <= Math.max(3, Math.ceil(value.length / 2)) ? best.candidate : undefined;
}

/** One readable line per issue; parse with `{ reportInput: true }` so invalid enum values can be named. */
export function explainVapiIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys
      .map((key) => {
        const suggestion = nearest(key, KNOWN_VAPI_KEYS);
        return `unknown key "${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`;
      })
      .join('; ');
  }
  if (issue.code === 'invalid_value' && typeof issue.input === 'string') {
    const values = issue.values.filter((value): value is string => typeof value === 'string');
    const suggestion = nearest(issue.input, values.length ? values : TRANSFER_PLAN_MODES);
    return `invalid value "${issue.input}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; valid: ${values.join(', ')}`;
  }
  return issue.message;
}
