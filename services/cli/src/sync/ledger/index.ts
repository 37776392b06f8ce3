export {
  LEDGER_CHECKPOINT_PREFIX,
  LEDGER_STREAMS,
  LedgerCursor,
  runLedgerSync,
  type LedgerStream,
  type LedgerStreamSummary,
  type LedgerSyncDeps,
  type LedgerSyncSummary,
} from './run-ledger-sync';
