import { VapiClient } from '@vapi-ai/server-sdk';

/**
 * Where a call stands right now, from Vapi's API (`GET /call/{id}`). The copy of `call` inside webhooks is
 * stale by design, so this is the only way to learn that a caller is still with the assistant after a
 * transfer went quiet. Returns null when it cannot tell.
 */
export interface CallStatusSource {
  status(callId: string): Promise<string | null>;
}

export class VapiCallStatus implements CallStatusSource {
  constructor(private readonly client: Pick<VapiClient, 'calls'>) {}

  async status(callId: string): Promise<string | null> {
    const call = await this.client.calls.get({ id: callId }, { maxRetries: 1, timeoutInSeconds: 3 });
    return typeof call.status === 'string' ? call.status : null;
  }
}

/** Without a Vapi API key Switchboard cannot ask; silence then never triggers a fallback. */
export const unknownCallStatus: CallStatusSource = { status: async () => null };

/** Vapi's API when a key is configured, else a source that never knows. */
export function callStatusSource(config: { vapiApiKey: string | undefined; vapiBaseUrl: string }): CallStatusSource {
  return config.vapiApiKey ? new VapiCallStatus(new VapiClient({ token: config.vapiApiKey, baseUrl: config.vapiBaseUrl })) : unknownCallStatus;
}
