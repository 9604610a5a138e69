import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Failure messages and stack traces go into an encoded payload instead of plain proto fields, so the payload
 * codec encrypts them like everything else. Loaded by path: the workflow sandbox and the worker's activities
 * must use this same instance (see data-converter.ts).
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
