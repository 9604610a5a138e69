import { createApp } from '../../src/api/app';
import type { AppDeps } from '../../src/api/app';
import { loadConfig } from '../../src/config/env';
import { createLogger } from '../../src/observability/logger';
import { parseAllowedHosts } from '../../src/vapi/control-url';
import { recordingClient } from './recording-client';

/** The webhook's timings and limits as an unconfigured environment gives them (the config schema's defaults). */
export function defaultWebhookSettings() {
  const config = loadConfig({});
  return {
    timings: config.transferTimings,
    destinationDeadlineMs: config.destinationDeadlineMs,
    rateLimitPerMinute: config.rateLimitPerMinute,
    rateLimitPerCallPerMinute: config.rateLimitPerCallPerMinute,
    startDeadlineMs: config.startDeadlineMs,
  };
}

/** `createApp` with a recording Temporal client and safe defaults; override any dependency. */
export function appWith(overrides: Partial<AppDeps> = {}, client = recordingClient()) {
  const { start } = client;
  const deps: AppDeps = {
    ...defaultWebhookSettings(),
    webhookAuth: { mode: 'none' },
    transferToolNames: ['transfer_call'],
    allowedHosts: parseAllowedHosts(['*.vapi.ai']),
    taskQueue: 'queue-under-test',
    workflowClient: client as unknown as AppDeps['workflowClient'],
    logger: createLogger({ level: 'silent' }),
    readiness: async () => ({ ready: true, temporal: 'reachable', workflowPollers: 1 }),
    now: () => new Date('2026-11-25T15:00:00.000Z'),
    ...overrides,
  };
  return { app: createApp(deps), start, client };
}
