export { runReconcile } from './run-reconcile';
export {
  type ReconcileDeps,
  type ReconcileEventsReport,
  type ReconcileOptions,
  type ReconcileReport,
} from './reconcile.types';
export {
  RECONCILE_EVENTS_CHECKPOINT,
  ReconcileEventsCursor,
  advanceEventsCursor,
} from './events-cursor';
