/**
 * `ApplicationFailure.type` strings shared by activities, workflows and the API. Retry policies match on these,
 * never on class names, so renaming code cannot change retry behaviour.
 */
export const FailureType = {
  /** The controlUrl answered 4xx: Vapi refused the command; sending it again cannot help. */
  ControlUrlRejected: 'ControlUrlRejected',
  /** The controlUrl provably did not act (503, 429, or the request was never written): safe to send again. */
  ControlUrlUnavailable: 'ControlUrlUnavailable',
  /** The request went out but no answer came back: it may have worked, so it is not sent again. */
  TransferOutcomeUnknown: 'TransferOutcomeUnknown',
  /** Routing produced no usable destination. */
  NoDestination: 'NoDestination',
  /** Vapi reported the call ended before the transfer was made. */
  CallEnded: 'CallEnded',
  /** The transfer workflow gave up; its cause says why. */
  TransferFailed: 'TransferFailed',
  /** The CRM refused the call (4xx) or answered off its contract: a retry gets the same answer. */
  CrmRejected: 'CrmRejected',
  /** The CRM could not be reached within the adapter's budget (5xx, timeouts, connections): retryable. */
  CrmUnavailable: 'CrmUnavailable',
  /** Vapi's API did not say where a call stands (5xx, refused key, timeout, no connection): retryable; a 404 is an answer. */
  VapiApiUnavailable: 'VapiApiUnavailable',
  /**
   * Vapi refused to place a call back (a 4xx of `POST /call`: a bad number, an unknown assistant, a refused
   * key), or this worker cannot place one (VAPI_API_KEY or VAPI_PHONE_NUMBER_ID unset): placing it again cannot help.
   */
  CallbackRejected: 'CallbackRejected',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/**
 * What a failed transfer POST proves about whether Vapi may have acted on it, by its failure type: Vapi refused
 * it, or it provably never reached Vapi. Any other failure (500, 502, 504, 408, a lost answer, a timeout) may
 * have been acted on. The workflow's delivery and the operators' retry both read it.
 */
export const POST_FAILURE_PROOF: Readonly<Partial<Record<FailureType, 'refused' | 'not-sent'>>> = {
  [FailureType.ControlUrlRejected]: 'refused',
  [FailureType.NoDestination]: 'refused',
  [FailureType.ControlUrlUnavailable]: 'not-sent',
};
