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

/** What an alert says about a dispute: its row's facts and its flag's severity. */
export type DisputeAlertFacts = Pick<
  DisputeRow,
  | 'id'
  | 'charge_id'
  | 'amount'
  | 'currency'
  | 'reason_code'
  | 'reason_message'
  | 'status'
  | 'livemode'
> &
  Pick<DisputeFlagRow, 'severity' | 'reasons'>;

/**
 * Characters kept of one value before escaping. Escaping can grow a character to five (`&amp;`),
 * so every escaped value stays under Slack's 2,000-character limit for a field and its 3,000 for a
 * section or context text, and the whole message stays a few kilobytes whatever Omise sent.
 */
const MAX_VALUE_CHARS = 200;
/** Omise's reason message is prose, so it gets more room (still within Slack's 3,000 once escaped). */
const MAX_MESSAGE_CHARS = 500;

/**
 * Makes text from Omise or the database inert in Slack mrkdwn: `<!channel>`, `<!here>`,
 * `<@U123>` and `<http://x|label>` are markup only with a raw `<`, so escaping `&`, `<` and `>`
 * (Slack's own rule) is enough; the value is first cut to `maxChars`.
 */
export function escapeSlackText(value: string, maxChars = MAX_VALUE_CHARS): string {
  const chars = Array.from(value);
  const cut = chars.length > maxChars ? `${chars.slice(0, maxChars - 1).join('')}…` : value;
  return cut.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The headline of a flag's alert: a new dispute, or one that opened and closed (won or lost)
 * before omise-sync first saw it, which the team must hear of all the same.
 */
export function disputeHeadline(
  flag: Pick<DisputeFlagRow, 'severity' | 'first_seen_status'>,
): string {
  const first = flag.first_seen_status;
  return first === 'won' || first === 'lost'
    ? `${flag.severity} dispute closed (${first}) before anyone saw it open`
    : `New ${flag.severity} dispute`;
}

/**
 * A dispute alert: the headline, then ids, amount, reason and severity. No links and no customer
 * or card data, since the channel is wider than the payments team. Every value from Omise is
 * escaped and capped; a test-mode dispute is labelled as such in the text and the first block.
 */
export function buildDisputeAlert(headline: string, facts: DisputeAlertFacts): SlackMessage {
  const id = escapeSlackText(facts.id);
  const chargeId = escapeSlackText(facts.charge_id);
  const currency = escapeSlackText(facts.currency.toUpperCase());
  const amount = escapeSlackText(formatAmount(facts.amount, facts.currency));
  const reason = escapeSlackText(facts.reason_code ?? 'unknown');
  const status = escapeSlackText(facts.status);
  const title = escapeSlackText(headline);
  const mode = facts.livemode ? 'live' : 'TEST MODE';
  const why =
    facts.reasons.length === 0 ? 'no rule matched' : escapeSlackText(facts.reasons.join(', '));
  const context = [`Severity because: ${why}`];
  if (facts.reason_message !== null && facts.reason_message !== '') {
    context.push(`Omise says: ${escapeSlackText(facts.reason_message, MAX_MESSAGE_CHARS)}`);
  }
  return {
    text: `${facts.livemode ? '' : '[TEST MODE] '}${title} ${id} (${mode}): ${amount}, reason ${reason}, charge ${chargeId}`,
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `${facts.livemode ? '' : ':test_tube: *TEST MODE* '}${SEVERITY_MARK[facts.severity]} *${title}* \`${id}\` (${mode})`,
        },
      },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: `*Amount*\n${amount}` },
          { type: 'mrkdwn', text: `*Currency*\n${currency}` },
          { type: 'mrkdwn', text: `*Reason*\n${reason}` },
          { type: 'mrkdwn', text: `*Severity*\n${facts.severity}` },
          { type: 'mrkdwn', text: `*Charge*\n\`${chargeId}\`` },
          { type: 'mrkdwn', text: `*Status*\n${status}` },
        ],
      },
      {
        type: 'context',
        elements: context.map((text) => ({ type: 'mrkdwn', text })),
      },
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
