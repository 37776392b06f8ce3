import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';

/** Header carrying one or more comma-separated lowercase-hex HMAC-SHA256 signatures. */
export const SIGNATURE_HEADER = 'omise-signature';
/** Header carrying the Unix time (seconds) that is part of the signed message. */
export const TIMESTAMP_HEADER = 'omise-signature-timestamp';

/** Why a delivery failed verification; also the `reason` label of the failure metric. */
export type SignatureFailureReason =
  | 'missing_signature'
  | 'missing_timestamp'
  | 'malformed_timestamp'
  | 'signature_mismatch'
  | 'timestamp_too_old'
  | 'timestamp_in_future';

export type SignatureVerification = { ok: true } | { ok: false; reason: SignatureFailureReason };

export interface VerifySignatureInput {
  /** The request body exactly as received; never a re-serialisation of parsed JSON. */
  rawBody: Buffer;
  /** Request headers as node gives them (lower-case names). */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /**
   * Decoded webhook secrets (the dashboard's base64 value, decoded); any one may match. A
   * KeyObject (`createSecretKey`) made once saves copying the key on every delivery.
   */
  secrets: readonly (Buffer | KeyObject)[];
  /** Allowed distance between the signed timestamp and `nowMs`, either way; 0 disables it. */
  toleranceSeconds: number;
  /** The receiver's clock, in milliseconds since the epoch. */
  nowMs: number;
}

const SHA256_HEX = /^[0-9a-f]{64}$/i;
// Ten digits cover Unix seconds until the year 2286; more would be a malformed value.
const UNIX_SECONDS = /^\d{1,10}$/;

function singleHeader(value: string | readonly string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  // Node joins repeated custom headers with ", " already; an array only comes from tests.
  const joined = typeof value === 'string' ? value : value.join(',');
  const trimmed = joined.trim();
  return trimmed === '' ? undefined : trimmed;
}

/**
 * Verifies an Omise webhook signature (API-NOTES §2.1): HMAC-SHA256, keyed with the decoded
 * secret, over `${timestamp}.${rawBody}`, hex-encoded in `Omise-Signature`. Every candidate
 * signature in the header is tried against every secret, so both a rotation on Omise's side
 * (two signatures) and one on ours (two secrets) are accepted. Comparison is constant-time.
 *
 * The signature is checked before the timestamp window so that the failure reason tells an
 * operator whether a rejected delivery was genuine but late (clock skew, replay) or forged.
 */
export function verifyWebhookSignature(input: VerifySignatureInput): SignatureVerification {
  const signatureHeader = singleHeader(input.headers[SIGNATURE_HEADER]);
  if (signatureHeader === undefined) return { ok: false, reason: 'missing_signature' };
  const timestamp = singleHeader(input.headers[TIMESTAMP_HEADER]);
  if (timestamp === undefined) return { ok: false, reason: 'missing_timestamp' };
  if (!UNIX_SECONDS.test(timestamp)) return { ok: false, reason: 'malformed_timestamp' };

  const candidates = signatureHeader
    .split(',')
    .map((candidate) => candidate.trim())
    .filter((candidate) => SHA256_HEX.test(candidate))
    .map((candidate) => Buffer.from(candidate, 'hex'));

  let matched = false;
  for (const secret of input.secrets) {
    const expected = createHmac('sha256', secret)
      .update(`${timestamp}.`)
      .update(input.rawBody)
      .digest();
    for (const candidate of candidates) {
      // Both are 32 bytes (the hex pattern guarantees it), as timingSafeEqual requires.
      if (timingSafeEqual(candidate, expected)) matched = true;
    }
  }
  if (!matched) return { ok: false, reason: 'signature_mismatch' };

  if (input.toleranceSeconds > 0) {
    const skewSeconds = input.nowMs / 1000 - Number(timestamp);
    if (skewSeconds > input.toleranceSeconds) return { ok: false, reason: 'timestamp_too_old' };
    if (-skewSeconds > input.toleranceSeconds) return { ok: false, reason: 'timestamp_in_future' };
  }
  return { ok: true };
}
