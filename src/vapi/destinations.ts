import { z } from 'zod';
import { TRANSFER_PLAN_MODES } from '../contracts';
import type { CallDestination } from '../contracts';

/** E.164: a plus, a non-zero country digit, at most 15 digits in all. */
export const e164Schema = z.string().regex(/^\+[1-9]\d{1,14}$/, 'must be an E.164 number such as "+12025550100"');

/** `sip:` or `sips:` URI with an optional user part, a host, an optional port and parameters. */
export const sipUriSchema = z
  .string()
  .max(512)
  .regex(/^sips?:([^\s@:;]+@)?[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:\d{1,5})?(;[^\s]*)?$/, 'must be a SIP URI such as "sip:agent@pbx.example.com"');

const spokenText = z.string().max(1000);
const customMessageSchema = z.object({ type: z.literal('custom-message'), content: spokenText }).strict();
const messageSchema = z.union([spokenText, customMessageSchema]);

export const summaryPlanSchema = z
  .object({
    enabled: z.boolean().optional(),
    messages: z
      .array(z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string().max(10_000) }).strict())
      .max(20)
      .optional(),
    timeoutSeconds: z.number().min(1).max(60).optional(),
  })
  .strict();

export const fallbackPlanSchema = z.object({ message: messageSchema, endCallEnabled: z.boolean().optional() }).strict();

/** Vapi `TransferPlan`: the eight real modes and the documented keys, camelCase only. */
export const transferPlanSchema = z
  .object({
    mode: z.enum(TRANSFER_PLAN_MODES),
    message: messageSchema.optional(),
    timeout: z.number().int().min(1).max(600).optional(),
    sipVerb: z.enum(['refer', 'bye', 'dial']).optional(),
    dialTimeout: z.number().int().min(1).max(600).optional(),
    twiml: z.string().max(4096).optional(),
    summaryPlan: summaryPlanSchema.optional(),
    sipHeadersInReferToEnabled: z.boolean().optional(),
    fallbackPlan: fallbackPlanSchema.optional(),
  })
  .strict();

/** Number destination. E.164 is required unless `numberE164CheckEnabled: false`, as in Vapi's own schema. */
export const numberDestinationSchema = z
  .object({
    type: z.literal('number'),
    number: z.string().max(40),
    numberE164CheckEnabled: z.boolean().optional(),
    extension: z.string().regex(/^[0-9*#,w]{1,10}$/, 'must be at most 10 dial characters').optional(),
    callerId: z.string().max(40).optional(),
    message: z.string().max(1000).optional(),
    transferPlan: transferPlanSchema.optional(),
  })
  .strict()
  .superRefine((destination, ctx) => {
    const pattern = destination.numberE164CheckEnabled === false ? /^\+?[a-zA-Z0-9]+$/ : /^\+[1-9]\d{1,14}$/;
    if (!pattern.test(destination.number)) {
      ctx.addIssue({
        code: 'custom',
        path: ['number'],
        message:
          destination.numberE164CheckEnabled === false
            ? 'must contain only letters and digits, with an optional leading +'
            : 'must be an E.164 number such as "+12025550100"',
      });
    }
  });

export const sipDestinationSchema = z
  .object({
    type: z.literal('sip'),
    sipUri: sipUriSchema,
    sipHeaders: z.record(z.string().regex(/^[A-Za-z0-9-]+$/), z.string().max(1024)).optional(),
    callerId: z.string().max(40).optional(),
    message: z.string().max(1000).optional(),
    transferPlan: transferPlanSchema.optional(),
  })
  .strict();

/** What a controlUrl `transfer` accepts: number or SIP, never assistant. */
export const callDestinationSchema = z.discriminatedUnion('type', [numberDestinationSchema, sipDestinationSchema]);

// Keep the zod schema and the workflow-safe contract type in lock-step.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const destinationTypesAgree: Exact<z.output<typeof callDestinationSchema>, CallDestination> = true;
void destinationTypesAgree;
