import type { NewCharge, NewDispute, NewDisputeDocument, NewRefund } from './rows';

// Row builders shared by the repository tests (not exported from the package).

export function chargeRow(overrides: Partial<NewCharge> & { id: string }): NewCharge {
  return {
    livemode: false,
    amount: 100_000,
    currency: 'THB',
    status: 'pending',
    authorized: true,
    paid: false,
    capturable: true,
    reversed: false,
    expired: false,
    refunded_amount: 0,
    failure_code: null,
    failure_message: null,
    customer_id: null,
    card_brand: 'Visa',
    card_last_digits: '4242',
    description: null,
    metadata: {},
    created_at: '2025-03-20T09:24:15Z',
    authorized_at: null,
    paid_at: null,
    expires_at: null,
    reversed_at: null,
    raw: { object: 'charge', id: overrides.id },
    origin: 'webhook',
    observed_at: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}

export function refundRow(overrides: Partial<NewRefund> & { id: string }): NewRefund {
  return {
    charge_id: 'chrg_test_1',
    livemode: false,
    amount: 1_000,
    currency: 'THB',
    status: 'closed',
    voided: false,
    metadata: {},
    created_at: '2025-03-20T09:30:00Z',
    raw: { object: 'refund', id: overrides.id },
    origin: 'webhook',
    observed_at: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}

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
