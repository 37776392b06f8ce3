import { z } from 'zod';

/** Bodies of the `/_emulator/*` admin endpoints and the CLI's JSON options. */

const share = z.number().min(0).max(1);
const ms = z.number().int().min(0);

export const FaultsPatch = z
  .object({
    latencyMs: ms,
    latencyJitterMs: ms,
    rateLimitShare: share,
    retryAfterSeconds: z.number().int().min(0),
    serverErrorShare: share,
    webhookDropShare: share,
    webhookDuplicateShare: share,
    webhookReorder: z.boolean(),
    webhookReorderWindow: z.number().int().min(1).max(1000),
    webhookReorderMaxHoldMs: ms,
    webhookDelayMs: ms,
    webhookDelayJitterMs: ms,
  })
  .partial()
  .strict();
export type FaultsPatch = z.infer<typeof FaultsPatch>;

export const WebhookEndpointInput = z.object({
  url: z.url({ protocol: /^https?$/ }),
  secrets: z.array(z.base64()).default([]),
});

/** `PUT /_emulator/webhooks` takes a bare array or `{ webhooks: [...] }`. */
export const WebhooksInput = z.union([
  z.array(WebhookEndpointInput),
  z.object({ webhooks: z.array(WebhookEndpointInput) }).transform((v) => v.webhooks),
]);
export type WebhooksInput = z.infer<typeof WebhooksInput>;

/** `traffic`: live lifecycle traffic; `demo`: traffic with demo defaults; `bulk`: fast seeding. */
export const ScenarioName = z.enum(['traffic', 'demo', 'bulk']);
export type ScenarioName = z.infer<typeof ScenarioName>;

export const ScenarioRequest = z
  .object({
    name: ScenarioName.default('traffic'),
    charges: z.number().int().min(1).max(5_000_000).default(100),
    ratePerSecond: z.number().positive().max(100_000).default(20),
    refundShare: share.default(0.1),
    disputeShare: share.default(0.05),
    /** traffic/demo: pay out after every this many charges (0 = never). */
    payoutEvery: z.number().int().min(0).default(0),
    seed: z.union([z.string(), z.number()]).optional(),
    /** bulk only: deliver the seeded charges' events to the webhooks too. */
    webhooks: z.boolean().default(false),
    /** Answer when the run has finished, with its summary, instead of 202 at once. */
    wait: z.boolean().default(false),
  })
  .strict();
export type ScenarioRequest = z.infer<typeof ScenarioRequest>;
