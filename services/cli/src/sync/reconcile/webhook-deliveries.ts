import { type WebhookDeliverySummary } from '@omise-sync/db';
import { type OmiseEvent } from '@omise-sync/omise-client';

const MAX_EXAMPLES = 5;

function isSuccess(status: number | null | undefined): boolean {
  return typeof status === 'number' && status >= 200 && status < 300;
}

/**
 * Tallies Omise's own record of delivering the events a reconcile reads (each event's
 * `webhook_deliveries`, empty in a delivered body but filled in by the Events API): attempts by
 * the status the endpoint answered, and events none of whose attempts succeeded. Read from
 * every event listed, whatever its object, since a broken endpoint fails them all alike.
 */
export class WebhookDeliveryTally {
  private readonly summary: WebhookDeliverySummary = {
    eventsAttempted: 0,
    eventsFailed: 0,
    byStatus: {},
    failedExamples: [],
  };

  add(event: Pick<OmiseEvent, 'id' | 'webhook_deliveries'>): void {
    const deliveries = event.webhook_deliveries ?? [];
    if (deliveries.length === 0) return;
    this.summary.eventsAttempted += 1;
    let delivered = false;
    for (const delivery of deliveries) {
      // No status: the endpoint gave no answer (refused, timed out), as `0` in the Omise API metrics.
      const status = String(delivery.status ?? 0);
      this.summary.byStatus[status] = (this.summary.byStatus[status] ?? 0) + 1;
      if (isSuccess(delivery.status)) delivered = true;
    }
    if (!delivered) {
      this.summary.eventsFailed += 1;
      if (this.summary.failedExamples.length < MAX_EXAMPLES) {
        this.summary.failedExamples.push(event.id);
      }
    }
  }

  result(): WebhookDeliverySummary {
    return {
      ...this.summary,
      byStatus: { ...this.summary.byStatus },
      failedExamples: [...this.summary.failedExamples],
    };
  }
}
