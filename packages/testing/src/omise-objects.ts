/**
 * Omise objects in the API 2019-05-29 shape, for test servers to answer with and parsers to read.
 * `location` follows the `id` (and a refund's `charge`) given in the overrides.
 */

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

export function chargeObject(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const id = stringOr(overrides['id'], 'chrg_test_5x1');
  return {
    object: 'charge',
    id,
    livemode: false,
    location: `/charges/${id}`,
    amount: 100_000,
    currency: 'THB',
    status: 'successful',
    paid: true,
    capture: true,
    authorized: true,
    metadata: {},
    refunded_amount: 0,
    created_at: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}

export function refundObject(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const id = stringOr(overrides['id'], 'rfnd_test_5x1');
  const charge = stringOr(overrides['charge'], 'chrg_test_5x1');
  return {
    object: 'refund',
    id,
    livemode: false,
    location: `/charges/${charge}/refunds/${id}`,
    amount: 5_000,
    currency: 'THB',
    charge,
    transaction: 'trxn_test_5x1',
    status: 'closed',
    voided: false,
    metadata: {},
    created_at: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}

export function disputeObject(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const id = stringOr(overrides['id'], 'dspt_test_5x1');
  return {
    object: 'dispute',
    id,
    livemode: false,
    location: `/disputes/${id}`,
    amount: 100_000,
    currency: 'THB',
    status: 'open',
    charge: 'chrg_test_5x1',
    reason_code: 'goods_or_services_not_provided',
    reason_message: 'Merchandise/Services Not Received',
    message: null,
    metadata: {},
    closed_at: null,
    created_at: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}

export function documentObject(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    object: 'document',
    id: 'docu_test_5x1',
    livemode: false,
    location: '/disputes/dspt_test_5x1/documents/docu_test_5x1',
    filename: 'receipt.pdf',
    kind: 'proof_of_receipt',
    download_uri: null,
    deleted: false,
    created_at: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}

export function eventObject(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const id = stringOr(overrides['id'], 'evnt_test_5x1');
  return {
    object: 'event',
    id,
    livemode: false,
    location: `/events/${id}`,
    key: 'charge.create',
    data: chargeObject(),
    webhook_deliveries: [],
    created_at: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}

export function listObject(
  data: unknown[],
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    object: 'list',
    data,
    offset: 0,
    limit: 20,
    total: data.length,
    order: 'chronological',
    location: '/charges',
    from: '1970-01-01T00:00:00Z',
    to: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}

export function errorObject(code: string, message: string): Record<string, unknown> {
  return {
    object: 'error',
    location: `https://www.omise.co/api-errors#${code.replace(/_/g, '-')}`,
    code,
    message,
  };
}
