import type { z } from 'zod';

/**
 * Turns zod issues into errors that say what was meant. The most common Vapi transfer bugs are invented
 * mode names (`warm-transfer-with-summary`) and snake_case keys (`transfer_plan`, `caller_id`), which Vapi
 * silently ignores; a routing file's are its own keys misspelt (`caller_regions`, `max_concurrent`). Naming
 * the nearest valid value makes either a one-line fix, as long as the suggestion comes from the right words:
 * each kind of document has its own {@link Vocabulary}, and {@link explainIssue} is the one function that
 * suggests from it.
 */

/** The keys a document may hold at a path: what an unknown key there is compared with. */
export interface Vocabulary {
  keysAt(path: readonly PropertyKey[]): readonly string[];
}

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

/** Vapi's words, wherever the key sits: for the Vapi payloads Switchboard validates. */
export const VAPI_VOCABULARY: Vocabulary = { keysAt: () => KNOWN_VAPI_KEYS };

type SchemaNode = { _zod: { def: Record<string, unknown> & { type: string } } };

/** The object schemas a value at this node may be: wrappers unwrapped, unions spread. */
function objectsAt(node: SchemaNode): SchemaNode[] {
  const def = node._zod.def;
  if (def.type === 'object') return [node];
  if (def.type === 'union') return (def.options as SchemaNode[]).flatMap(objectsAt);
  const inner = (def.innerType ?? def.in) as SchemaNode | undefined;
  return inner ? objectsAt(inner) : [];
}

/** The node one step down `key` from `node`, or none. */
function childAt(node: SchemaNode, key: PropertyKey): SchemaNode[] {
  const def = node._zod.def;
  if (def.type === 'array') return [def.element as SchemaNode];
  if (def.type === 'record') return [def.valueType as SchemaNode];
  if (def.type === 'object') {
    const shape = def.shape as Record<string, SchemaNode>;
    const child = shape[String(key)] ?? (def.catchall as SchemaNode | undefined);
    return child ? [child] : [];
  }
  if (def.type === 'union') return (def.options as SchemaNode[]).flatMap((option) => childAt(option, key));
  const inner = (def.innerType ?? def.in) as SchemaNode | undefined;
  return inner ? childAt(inner, key) : [];
}

/**
 * The vocabulary of a document described by a zod schema: at each path, the keys its schema declares there.
 * A routing file's top level suggests routing-file keys; a Vapi destination inside it suggests Vapi's keys.
 */
export function schemaVocabulary(schema: z.ZodType): Vocabulary {
  return {
    keysAt(path) {
      let nodes: SchemaNode[] = [schema as unknown as SchemaNode];
      for (const key of path) nodes = nodes.flatMap((node) => childAt(node, key));
      return [...new Set(nodes.flatMap(objectsAt).flatMap((node) => Object.keys(node._zod.def.shape as object)))];
    },
  };
}

/**
 * One readable line per issue, suggesting from `vocabulary`; parse with `{ reportInput: true }` so invalid
 * enum values can be named.
 */
export function explainIssue(issue: z.core.$ZodIssue, vocabulary: Vocabulary): string {
  if (issue.code === 'unrecognized_keys') {
    const known = vocabulary.keysAt(issue.path);
    return issue.keys
      .map((key) => {
        const suggestion = nearest(key, known);
        return `unknown key "${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`;
      })
      .join('; ');
  }
  if (issue.code === 'invalid_value' && typeof issue.input === 'string') {
    const values = issue.values.filter((value): value is string => typeof value === 'string');
    const suggestion = nearest(issue.input, values);
    return `invalid value "${issue.input}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; valid: ${values.join(', ')}`;
  }
  return issue.message;
}
