export { runBackfill } from './run-backfill';
export {
  BACKFILL_RESOURCES,
  type BackfillResource,
  BackfillCursor,
  backfillCheckpointName,
} from './backfill-cursor';
export { type BackfillDeps, type BackfillOptions, type BackfillSummary } from './backfill.types';
