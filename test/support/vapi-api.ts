import type { FakeVapiApi } from '../../src/dev/fake-vapi-api';
import { startFakeVapiApi } from '../../src/dev/fake-vapi-api';
import { HttpVapiCalls } from '../../src/integrations/vapi-calls';

export type { FakeVapiApi } from '../../src/dev/fake-vapi-api';

/** Vapi's API playing a script, for a call's status: each ask gets the next answer (the last one repeats); asks are timed. */
export function vapiSays(...answers: (string | null)[]) {
  const askedAt: number[] = [];
  return {
    askedAt,
    callStatus: {
      status: async () => {
        askedAt.push(Date.now());
        return answers[Math.min(askedAt.length - 1, answers.length - 1)] ?? null;
      },
    },
  };
}

/** The key and phone number the tests give workers; the stand-in checks the key. */
export const TEST_VAPI_KEY = 'test-vapi-private-key';
export const TEST_PHONE_NUMBER_ID = 'phone-number-under-test';

/**
 * The stand-in for Vapi's REST API (`POST /call`, `GET /call`, `GET /call/{id}`, shaped like Vapi, with fault
 * switches: `failNextCreate({ status: 400 })`, `({ status: 502, afterCreate: true })` for a lost answer,
 * `('no-answer')`), and the activity dependencies that place calls through it.
 */
export async function vapiApiStandIn(controlBaseUrl: string): Promise<{ api: FakeVapiApi; deps: { vapiCalls: HttpVapiCalls; vapiPhoneNumberId: string } }> {
  const api = await startFakeVapiApi({ controlBaseUrl, apiKey: TEST_VAPI_KEY });
  return { api, deps: { vapiCalls: new HttpVapiCalls({ apiKey: TEST_VAPI_KEY, baseUrl: api.baseUrl }), vapiPhoneNumberId: TEST_PHONE_NUMBER_ID } };
}

/** The bodies of the `POST /call` requests the stand-in received. */
export function createRequests(api: FakeVapiApi) {
  return api.requests.filter((request) => request.method === 'POST' && request.path === '/call');
}
