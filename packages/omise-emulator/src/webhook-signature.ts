import { createHmac } from 'node:crypto';

/**
 * The `Omise-Signature` header value for a body (API-NOTES §2.1): lowercase hex
 * HMAC-SHA256 of `${timestamp}.${rawBody}`, keyed by the base64-decoded secret; one signature
 * per secret, comma-separated, so a receiver in the middle of a rotation accepts either.
 */
export function signWebhookPayload(
  body: string,
  secrets: readonly string[],
  timestampSeconds: number,
): string {
  return secrets
    .map((secret) =>
      createHmac('sha256', Buffer.from(secret, 'base64'))
        .update(`${timestampSeconds}.`)
        .update(body)
        .digest('hex'),
    )
    .join(',');
}
