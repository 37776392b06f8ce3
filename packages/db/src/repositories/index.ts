export type {
  ChargeRow,
  DisputeDocumentRow,
  DisputeFlagRow,
  DisputeRow,
  EventRow,
  NewCharge,
  NewDispute,
  NewDisputeDocument,
  NewDisputeFlag,
  NewEvent,
  NewRefund,
  RefundRow,
} from './rows';
export { MAX_ROWS_PER_STATEMENT } from './rows';
export * from './charge.repository';
export * from './refund.repository';
export * from './dispute.repository';
export * from './dispute-flag.repository';
export * from './event.repository';
export * from './projection-lock.repository';
export * from './sync-state.repository';
export * from './charge-observation.repository';
