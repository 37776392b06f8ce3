export {
  LEDGER_STREAMS,
  runLedgerSync,
  type LedgerStream,
  type LedgerStreamSummary,
  type LedgerSyncDeps,
  type LedgerSyncSummary,
} from './run-ledger-sync';
