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
export { callEventSignal, classifyEndedReason, decideDestinationUpdate, destinationAbandonedSignal } from './call-events';
export type { CallEvent, CallOutcomeKind, DestinationAnswer } from './call-events';
export { TRANSFER_PLAN_MODES } from './destinations';
export type { CallDestination, NumberDestination, SipDestination, TransferPlan, TransferPlanMode } from './destinations';
export { FailureType, POST_FAILURE_PROOF } from './failures';
export { CALLBACK_EVENTS, LINE_EXITS } from './metrics';
export type { CallbackEvent, CallbackSinks, LineExit, SwitchboardSinks, TransferSinks } from './metrics';
export type {
  AgentLiveState,
  AgentStateName,
  CandidateTrace,
  FallbackTarget,
  OfficeClock,
  QueueSettings,
  Relaxation,
  RoutingInput,
  PolicyAgent,
  RoutingPolicy,
  RoutingRules,
  RoutingTrace,
  RosterAgent,
  ToneAssessment,
} from './routing';
export { AGENT_STATES, DEFAULT_QUEUE, NEUTRAL_TONE } from './routing';
export { transferStatusQuery } from './messages';
export {
  CustomerTierAttribute,
  SEARCH_ATTRIBUTES,
  SEARCH_ATTRIBUTE_CLI_TYPES,
  TransferAgent,
  TransferLatencyMs,
  TransferStageAttribute,
  TransferDepartment,
  TransferOutcomeAttribute,
  VapiCallId,
} from './search-attributes';
export { ANONYMOUS_CUSTOMER, CRM_UNREACHABLE_CUSTOMER, CUSTOMER_TIERS, URGENCIES } from './customer';
export type { CustomerProfile, CustomerTier, Urgency } from './customer';
export {
  DEFAULT_WARM_DIAL_SECONDS,
  ROUTE_AT_HEADER,
  TRANSFER_OUTCOMES,
  TRANSFER_RUN_TIMEOUT,
  TRANSFER_STEPS,
  TRANSFER_TASK_QUEUE,
  TRANSFER_WORKFLOW_TYPE,
  dialWindowSeconds,
  transferSummary,
  transferWorkflowId,
} from './transfer';
export type {
  RoutingDecision,
  StepRecord,
  TransferOutcome,
  TransferRequest,
  TransferResult,
  TransferStage,
  TransferStatus,
  TransferStepName,
  TransferTimings,
} from './transfer';
export {
  AGENT_STATUS_COMMANDS,
  DEFAULT_AFTER_CALL,
  FLOOR_WORKFLOW_TYPE,
  RESERVATION_TTL_SECONDS,
  agentPageQuery,
  dryRunQuery,
  floorChangesQuery,
  floorCommandsUpdate,
  floorNoticeSignal,
  floorTaskQueue,
  floorWorkflowId,
  liveStatesQuery,
  lineNoticeSignal,
  linesQuery,
} from './floor';
export type {
  AgentCriteria,
  AgentPage,
  AgentPageRequest,
  AgentRecord,
  AgentStatusCommand,
  AgentView,
  Assignment,
  DepartmentSummary,
  FloorChanges,
  FloorCommand,
  FloorDepartment,
  FloorInput,
  FloorNotice,
  FloorReply,
  FloorReservation,
  FloorState,
  DepartmentStats,
  JoinLineCommand,
  LineNotice,
  LinePlace,
  LineView,
  WaitingEntry,
  Roster,
} from './floor';
export { SENDING_MARKER, mayHaveBeenSent } from './activities';
export type {
  Activities,
  CallStateReport,
  ExecuteTransferInput,
  LegacyReservationRequest,
  PlaceCallbackInput,
  PlacedCallback,
  PostSummaryInput,
  ReserveAgentInput,
  ReserveAgentResult,
  RoutingRulesSnapshot,
  SayToCallerInput,
  SendingMarker,
} from './activities';
export type { CallbackWorkflow, FloorWorkflow, TransferCallWorkflow } from './workflows';
export type { ReserveCommand, ReserveListedCommand, SetStatusCommand } from './floor';
export { TRANSFER_NOTE_STATUSES } from './notes';
export type { TransferNoteStatus } from './notes';
export {
  CALLBACK_STAGES,
  CALLBACK_TOOL_NAME,
  CALLBACK_WORKFLOW_TYPE,
  callbackCallEventSignal,
  callbackStatusQuery,
  callbackTagOf,
  callbackWorkflowId,
  requestCallbackUpdate,
} from './callback';
export type {
  CallbackAnswer,
  CallbackAsk,
  CallbackCallEvent,
  CallbackCallTag,
  CallbackInput,
  CallbackOutcome,
  CallbackResult,
  CallbackStage,
  CallbackStatus,
} from './callback';
