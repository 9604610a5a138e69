export {
  AGENT_WORKFLOW_TYPE,
  agentStateQuery,
  agentWorkflowId,
  liveState,
  newAgentState,
  releaseAgentUpdate,
  reserveAgentUpdate,
  setAgentStatusUpdate,
  unexpiredReservations,
} from './agent';
export type { AgentReservation, AgentState, ReserveAgentRequest } from './agent';
export { callEventSignal, classifyEndedReason, decideDestinationUpdate } from './call-events';
export type { CallEvent, CallOutcomeKind, DestinationAnswer } from './call-events';
export { TRANSFER_PLAN_MODES } from './destinations';
export type { CallDestination, NumberDestination, SipDestination, TransferPlan, TransferPlanMode } from './destinations';
export { FailureType } from './failures';
export type { TransferSinks } from './metrics';
export type {
  AgentLiveState,
  CandidateTrace,
  FallbackTarget,
  Relaxation,
  RoutingInput,
  RoutingPolicy,
  RoutingTrace,
  ToneAssessment,
} from './routing';
export { NEUTRAL_TONE } from './routing';
export { transferStatusQuery } from './messages';
export {
  CustomerTierAttribute,
  SEARCH_ATTRIBUTES,
  TransferDepartment,
  TransferOutcomeAttribute,
  VapiCallId,
} from './search-attributes';
export {
  ANONYMOUS_CUSTOMER,
  CRM_UNREACHABLE_CUSTOMER,
  CUSTOMER_TIERS,
  ROUTE_AT_HEADER,
  TRANSFER_STEPS,
  TRANSFER_TASK_QUEUE,
  TRANSFER_WORKFLOW_TYPE,
  URGENCIES,
  transferSummary,
  transferWorkflowId,
} from './transfer';
export type {
  CustomerProfile,
  CustomerTier,
  RoutingDecision,
  StepRecord,
  TransferOutcome,
  TransferRequest,
  TransferResult,
  TransferStage,
  TransferStatus,
  TransferStepName,
  Urgency,
} from './transfer';
