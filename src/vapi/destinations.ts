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

export const transferPlanSchema = z
  .object({
    mode: z.enum(TRANSFER_PLAN_MODES),
    message: z.string().max(1000).optional(),
  })
  .strict();

export const numberDestinationSchema = z
  .object({
    type: z.literal('number'),
    number: e164Schema,
    extension: z.string().regex(/^[0-9*#,w]{1,10}$/, 'must be at most 10 dial characters').optional(),
    callerId: z.string().max(40).optional(),
    message: z.string().max(1000).optional(),
    transferPlan: transferPlanSchema.optional(),
  })
  .strict();

export const sipDestinationSchema = z
  .object({
    type: z.literal('sip'),
    sipUri: sipUriSchema,
    sipHeaders: z.record(z.string().regex(/^[A-Za-z0-9-]+$/), z.string().max(1024)).optional(),
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
