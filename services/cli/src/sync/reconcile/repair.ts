import { type ProjectionRequest, projectBatch } from '@omise-sync/projection';
import { type ReconcileDeps } from './reconcile.types';

/** Projects what reconcile fetched, through the projection core (origin `reconcile`). */
export async function repair(deps: ReconcileDeps, requests: ProjectionRequest[]): Promise<void> {
  const results = await projectBatch(deps, requests);
  for (const result of results) {
    if (result.outcome === 'failed' || result.outcome === 'error') {
      deps.logger.error({ err: result.error }, 'reconcile could not write a repair');
    } else if (result.outcome === 'projected' && result.flag !== undefined) {
      deps.logger.info(
        { disputeId: result.flag.disputeId, severity: result.flag.severity },
        'dispute flagged by reconcile (not notified)',
      );
    }
  }
}
