import type { RoutingInput, TransferRequest } from '../contracts';

/**
 * What routing decides from: the request's own words and the inputs read for it. One place, so the
 * workflow, the dry run and the what-if diff of a routing change hand the pipeline the same thing.
 */
export function routingInput(
  request: Pick<TransferRequest, 'department' | 'reason' | 'urgency' | 'callerNumber'>,
  inputs: Pick<RoutingInput, 'customer' | 'tone' | 'policy' | 'agents' | 'at'> & Pick<Partial<RoutingInput>, 'clocks'>,
): RoutingInput {
  return {
    ...(request.department ? { department: request.department } : {}),
    ...(request.reason ? { reason: request.reason } : {}),
    urgency: request.urgency,
    ...(request.callerNumber ? { callerNumber: request.callerNumber } : {}),
    ...inputs,
  };
}
