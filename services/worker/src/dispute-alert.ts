import type { DisputeRow, DisputeFlagRow } from '@omise-sync/db';

/** ISO 4217 currencies without minor units: Omise amounts in them are whole units. */
const ZERO_DECIMAL = new Set(['JPY', 'KRW', 'VND', 'IDR', 'CLP', 'ISK', 'UGX', 'XAF', 'XOF']);

/** Formats an amount in the smallest currency unit, e.g. 1234567 THB → "12,345.67 THB". */
export function formatAmount(amount: number, currency: string): string {
  const code = currency.toUpperCase();
  const digits = ZERO_DECIMAL.has(code) ? 0 : 2;
  const value = amount / 10 ** digits;
  const text = value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  return `${text} ${code}`;
}

/** A Slack incoming-webhook message (also accepted by Mattermost, Rocket.Chat, Teams bridges). */
export interface SlackMessage {
  text: string;
  blocks: Record<string, unknown>[];
}

const SEVERITY_MARK: Record<DisputeFlagRow['severity'], string> = {
  low: ':large_blue_circle:',
  medium: ':large_yellow_circle:',
  high: ':large_orange_circle:',
  critical: ':red_circle:',
};

/**
 * What the alert announces: a new dispute, or one that opened and closed (won or lost) before
 * omise-sync first saw it, which the team must hear of all the same.
 */
function headline(flag: Pick<DisputeFlagRow, 'severity' | 'first_seen_status'>): string {
  const first = flag.first_seen_status;
  return first === 'won' || first === 'lost'
    ? `${flag.severity} dispute closed (${first}) before anyone saw it open`
    : `New ${flag.severity} dispute`;
}

/**
 * The alert for a newly flagged dispute: ids, amount, reason and severity. No links and no
 * customer or card data, since the channel is wider than the payments team.
 */
export function buildDisputeAlert(
  flag: Pick<DisputeFlagRow, 'dispute_id' | 'severity' | 'reasons' | 'first_seen_status'>,
  dispute: Pick<
    DisputeRow,
    'id' | 'charge_id' | 'amount' | 'currency' | 'reason_code' | 'status' | 'livemode'
  >,
): SlackMessage {
  const amount = formatAmount(dispute.amount, dispute.currency);
  const reason = dispute.reason_code ?? 'unknown';
  const mode = dispute.livemode ? 'live' : 'test';
  const title = headline(flag);
  const text = `${title} ${dispute.id} (${mode}): ${amount}, reason ${reason}, charge ${dispute.charge_id}`;
  const why = flag.reasons.length === 0 ? 'no rule matched' : flag.reasons.join(', ');
  return {
    text,
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `${SEVERITY_MARK[flag.severity]} *${title}* \`${dispute.id}\` (${mode})`,
        },
      },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: `*Amount*\n${amount}` },
          { type: 'mrkdwn', text: `*Currency*\n${dispute.currency.toUpperCase()}` },
          { type: 'mrkdwn', text: `*Reason*\n${reason}` },
          { type: 'mrkdwn', text: `*Severity*\n${flag.severity}` },
          { type: 'mrkdwn', text: `*Charge*\n\`${dispute.charge_id}\`` },
          { type: 'mrkdwn', text: `*Status*\n${dispute.status}` },
        ],
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `Severity because: ${why}` }] },
    ],
  };
}

/** The alert endpoint surely did not get the message (refused, or answered non-2xx). */
export class AlertRejectedError extends Error {
  override readonly name = 'AlertRejectedError';
}

/** The alert may or may not have arrived (timeout or reset after sending). */
export class AlertOutcomeUnknownError extends Error {
  override readonly name = 'AlertOutcomeUnknownError';
}

/** Errors that prove the request never reached the server. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_INVALID_URL',
]);

function causeCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; depth < 5; depth += 1) {
    if (typeof current !== 'object' || current === null) return undefined;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const errors = (current as { errors?: unknown }).errors;
    if (Array.isArray(errors)) return errors.map(causeCode).find((c) => c !== undefined);
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/**
 * POSTs the message. Resolves when the endpoint answered 2xx.
 * @throws AlertRejectedError when it surely was not delivered (safe to send again)
 * @throws AlertOutcomeUnknownError when it may have been delivered (must not be resent)
 */
export async function postAlert(
  url: string,
  message: SlackMessage,
  options: { timeoutMs: number; fetch?: FetchLike },
): Promise<void> {
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  let response: Response;
  try {
    response = await fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    const code = causeCode(error);
    if (code !== undefined && NOT_SENT_CODES.has(code)) {
      throw new AlertRejectedError(`alert endpoint unreachable (${code})`, { cause: error });
    }
    const name = (error as { name?: unknown } | null)?.name;
    const what = name === 'TimeoutError' ? 'timed out' : 'failed';
    throw new AlertOutcomeUnknownError(`alert request ${what} after it may have been sent`, {
      cause: error,
    });
  }
  // Drain the body so the keep-alive socket is reused.
  const body = await response.text().catch(() => '');
  if (!response.ok) {
    throw new AlertRejectedError(
      `alert endpoint answered ${response.status}: ${body.slice(0, 200)}`,
    );
  }
}
