import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseContactCenterText } from '../../src/config/contact-center';
import { DEFAULT_ROUTING_CONFIG } from '../../src/config/env';
import { callDestinationSchema } from '../../src/vapi/destinations';
import { VAPI_VOCABULARY, explainIssue } from '../../src/vapi/suggest';

const demo = readFileSync(DEFAULT_ROUTING_CONFIG, 'utf8');

/** The routing:check message for the demo file with one edit. */
function problemsOf(edit: (text: string) => string): string {
  try {
    parseContactCenterText(edit(demo), 'candidate.yaml');
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the edited file validated');
}

describe('did you mean: each document suggests from its own words', () => {
  it("suggests the routing file's own keys for a misspelt routing-file key, never a Vapi word", () => {
    expect(problemsOf((text) => text.replace('caller-regions:', 'caller_regions:'))).toContain('candidate.yaml: (root): unknown key "caller_regions" (did you mean "caller-regions"?)');
    expect(problemsOf((text) => text.replace('transfer-modes:', 'transfer_modes:'))).toContain('unknown key "transfer_modes" (did you mean "transfer-modes"?)');
    expect(problemsOf((text) => text.replace('maxConcurrent: 1, destination: { type: number, number: "+12025550101" }', 'max_concurrent: 1, destination: { type: number, number: "+12025550101" }'))).toContain(
      'agents[0]: unknown key "max_concurrent" (did you mean "maxConcurrent"?)',
    );
    expect(problemsOf((text) => text.replace('timezone: America/New_York', 'time_zone: America/New_York'))).toContain('unknown key "time_zone" (did you mean "timezone"?)');
  });

  it("suggests Vapi's keys where the routing file holds a Vapi destination", () => {
    expect(problemsOf((text) => text.replace('general: { type: number, number: "+12025550100" }', 'general: { type: number, number: "+12025550100", transfer_plan: { mode: blind-transfer } }'))).toContain(
      'lines.general: unknown key "transfer_plan" (did you mean "transferPlan"?)',
    );
  });

  it("suggests Vapi's words for a Vapi payload", () => {
    const parsed = callDestinationSchema.safeParse({ type: 'number', number: '+12025550100', caller_id: '+12025550101' }, { reportInput: true });
    expect(parsed.success).toBe(false);
    expect(explainIssue(parsed.error!.issues[0]!, VAPI_VOCABULARY)).toBe('unknown key "caller_id" (did you mean "callerId"?)');
    const strict = z.object({ a: z.string() }).strict().safeParse({ a: 'x', transfer_plan: {} });
    expect(explainIssue(strict.error!.issues[0]!, VAPI_VOCABULARY)).toBe('unknown key "transfer_plan" (did you mean "transferPlan"?)');
  });
});
