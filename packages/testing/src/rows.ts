import type { EventRecord, NewDispute, NewDisputeDocument } from '@omise-sync/db';

// Rows as the repositories take them, with plausible defaults; a test overrides what it checks.

export function disputeRow(overrides: Partial<NewDispute> & { id: string }): NewDispute {
  return {
    charge_id: 'chrg_test_1',
    livemode: false,
    amount: 90_000,
    currency: 'THB',
    status: 'open',
    reason_code: 'goods_or_services_not_provided',
    reason_message: 'Merchandise/Services Not Received',
    message: null,
    admin_message: null,
    metadata: {},
    created_at: '2025-03-20T09:50:24Z',
    closed_at: null,
    respond_by: '2025-03-27T09:50:24Z',
    raw: { object: 'dispute', id: overrides.id },
    origin: 'webhook',
    observed_at: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}

export function documentRow(
  overrides: Partial<NewDisputeDocument> & { id: string },
): NewDisputeDocument {
  return {
    dispute_id: 'dspt_test_1',
    livemode: false,
    filename: 'receipt.pdf',
    kind: null,
    download_uri: null,
    deleted: false,
    created_at: '2025-03-20T10:00:00Z',
    raw: { object: 'document', id: overrides.id },
    observed_at: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}

export function eventRow(overrides: Partial<EventRecord> & { id: string }): EventRecord {
  return {
    account: 'default',
    key: 'charge.create',
    resource_type: 'charge',
    resource_id: 'chrg_test_1',
    livemode: false,
    created_at: '2026-01-01T00:00:00Z',
    received_at: '2026-01-01T00:00:01Z',
    processed_at: '2026-01-01T00:00:02Z',
    outcome: 'projected',
    origin: 'webhook',
    error: null,
    raw: { object: 'event', id: overrides.id, data: [1, 2] },
    ...overrides,
  };
}
