import { setTimeout as sleep } from 'node:timers/promises';
import { type Faults } from '../emulator-options';
import { OmiseApiError } from '../omise-api-error';
import { type SeededRandom } from '../seeded-random';

/** Delays an API request, or fails it before it is processed, as the faults ask. */
export async function applyRequestFaults(faults: Faults, random: SeededRandom): Promise<void> {
  const latency =
    faults.latencyMs + (faults.latencyJitterMs > 0 ? random.next() * faults.latencyJitterMs : 0);
  if (latency > 0) await sleep(latency);
  if (random.chance(faults.rateLimitShare)) {
    throw new OmiseApiError(429, 'too_many_requests', 'too many requests, slow down', {
      'retry-after': String(faults.retryAfterSeconds),
    });
  }
  if (random.chance(faults.serverErrorShare)) {
    const status = random.pick([500, 502, 503]);
    throw status === 503
      ? new OmiseApiError(503, 'service_unavailable', 'service is temporarily unavailable', {
          'retry-after': String(faults.retryAfterSeconds),
        })
      : new OmiseApiError(status, 'internal_server_error', 'internal server error');
  }
}
