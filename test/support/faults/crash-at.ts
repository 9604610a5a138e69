/**
 * Kills this worker process (SIGKILL, as an OOM killer or a lost host would) at a named point of its first
 * transfer POST, or of its first call back placed, for the crash-point tests. Loaded through crash-at.mjs;
 * lives under test/, so no production code carries a switch for it.
 *
 * - `before-post`: the POST activity has started, nothing is recorded and nothing written;
 * - `after-answer`: Vapi answered 2xx, and the activity's completion never reaches the server;
 * - `after-reserve`: the floor reserved an agent for the transfer, inside its first workflow task, which never
 *   completes: the task runs again on another worker and asks the floor again;
 * - `before-place`: the callback decided to place its call, the placing activity has recorded that it is
 *   about to send, and `POST /call` is not written;
 * - `after-place`: Vapi made the call and answered 201, and the activity's completion never reaches the server.
 * (After the request was written and before its answer, the test's control server holds the answer and the
 * test kills the process from outside.)
 */
import type { ControlCommand, ControlSendOptions } from '../../../src/integrations/call-control-client';
import { HttpCallControlClient } from '../../../src/integrations/call-control-client';
import type { ReserveCommand, ReserveListedCommand } from '../../../src/contracts';
import { TemporalFloorClient } from '../../../src/integrations/floor-client';
import type { CallbackCallBody } from '../../../src/integrations/vapi-calls';
import { HttpVapiCalls } from '../../../src/integrations/vapi-calls';

const point = process.env.SWITCHBOARD_TEST_CRASH_AT;
const send = HttpCallControlClient.prototype.send;
let crashed = false;

function crash(): never {
  crashed = true;
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
}

HttpCallControlClient.prototype.send = async function crashing(this: HttpCallControlClient, controlUrl: string, command: ControlCommand, options?: ControlSendOptions) {
  const armed = !crashed && command.type === 'transfer';
  if (armed && point === 'before-post') crash();
  const answer = await send.call(this, controlUrl, command, options);
  if (armed && point === 'after-answer') crash();
  return answer;
};

const reserve = TemporalFloorClient.prototype.reserve;
TemporalFloorClient.prototype.reserve = async function crashing(this: TemporalFloorClient, command: ReserveCommand | ReserveListedCommand) {
  const answer = await reserve.call(this, command);
  if (!crashed && point === 'after-reserve' && answer.agentId) crash();
  return answer;
};

const create = HttpVapiCalls.prototype.create;

HttpVapiCalls.prototype.create = async function crashing(this: HttpVapiCalls, body: CallbackCallBody) {
  const armed = !crashed;
  if (armed && point === 'before-place') crash();
  const call = await create.call(this, body);
  if (armed && point === 'after-place') crash();
  return call;
};
