import { WebhookDeliveryTally } from './webhook-deliveries';

describe('WebhookDeliveryTally', () => {
  it('counts attempts by status and the events none of whose attempts got a 2xx', () => {
    const tally = new WebhookDeliveryTally();
    tally.add({ id: 'evnt_ok', webhook_deliveries: [{ status: 500 }, { status: 200 }] });
    tally.add({ id: 'evnt_404', webhook_deliveries: [{ status: 404 }] });
    tally.add({ id: 'evnt_down', webhook_deliveries: [{ status: null }, {}] });
    tally.add({ id: 'evnt_none', webhook_deliveries: [] });
    tally.add({ id: 'evnt_old' });
    expect(tally.result()).toEqual({
      eventsAttempted: 3,
      eventsFailed: 2,
      byStatus: { '200': 1, '404': 1, '500': 1, '0': 2 },
      failedExamples: ['evnt_404', 'evnt_down'],
    });
  });

  it('keeps at most five example ids', () => {
    const tally = new WebhookDeliveryTally();
    for (let i = 0; i < 8; i++)
      tally.add({ id: `evnt_${i}`, webhook_deliveries: [{ status: 503 }] });
    expect(tally.result()).toMatchObject({ eventsFailed: 8, byStatus: { '503': 8 } });
    expect(tally.result().failedExamples).toHaveLength(5);
  });
});
