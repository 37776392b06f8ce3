import { type EventOrigin, type OmiseEventJob, ProjectedResource } from '@omise-sync/core';

type Json = Record<string, unknown>;

function field(value: Json, key: string): string | undefined {
  const v = value[key];
  return typeof v === 'string' ? v : undefined;
}

/**
 * Builds the job the receiver would enqueue for an emulator event (the event id is the job
 * id). Test-only: the receiver owns the real mapping.
 */
export function toEventJob(
  event: Json,
  options: { origin?: EventOrigin; receivedAt?: Date; account?: string } = {},
): OmiseEventJob {
  const data = event['data'] as Json;
  const resourceType = ProjectedResource.parse(data['object']);
  const chargeId = resourceType === 'refund' ? field(data, 'charge') : undefined;
  return {
    account: options.account ?? 'default',
    eventId: String(event['id']),
    key: String(event['key']),
    resourceType,
    resourceId: String(data['id']),
    ...(chargeId === undefined ? {} : { chargeId }),
    livemode: event['livemode'] === true,
    eventCreatedAt: String(event['created_at']),
    receivedAt: (options.receivedAt ?? new Date()).toISOString(),
    origin: options.origin ?? 'webhook',
    event,
  };
}

/** Polls `check` until it returns something other than undefined/false (or times out). */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    const result = await check();
    if (result !== undefined && result !== false) return result;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${options.what ?? 'a condition'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 25));
  }
}
