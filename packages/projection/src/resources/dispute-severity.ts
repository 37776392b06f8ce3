import type { DisputeSeverity } from '@omise-sync/db';
import { z } from 'zod';

/** Severities from least to most urgent; the highest matching rule wins. */
export const SEVERITIES = [
  'low',
  'medium',
  'high',
  'critical',
] as const satisfies readonly DisputeSeverity[];

const Severity = z.enum(SEVERITIES);
const Amount = z.number().int().nonnegative();

/**
 * How a newly opened dispute is graded (`DISPUTE_SEVERITY_RULES`, JSON). Every rule that
 * matches is listed in the flag's `reasons`; the highest severity among them is the flag's.
 */
export const DisputeSeverityRules = z
  .object({
    /** Severity when no rule matches. @defaultValue 'low' */
    baseline: Severity.default('low'),
    /**
     * Per currency (ISO 4217, any case), disputed amounts in the smallest unit (satang, yen,
     * cents) at or above which the dispute is `high` or `critical`.
     */
    amountThresholds: z
      .record(
        z.string().min(3).max(3),
        z.object({ high: Amount.optional(), critical: Amount.optional() }),
      )
      .default({}),
    /** Reason codes that make a dispute at least `reasonCodeSeverity` (fraud-like codes). */
    reasonCodes: z.array(z.string().min(1)).default([]),
    /** @defaultValue 'high' */
    reasonCodeSeverity: Severity.default('high'),
    /**
     * A dispute on a charge created at least this many days before the dispute opened is at
     * least `oldChargeSeverity` (late disputes are harder to contest). Omit to turn it off.
     */
    oldChargeDays: z.number().positive().optional(),
    /** @defaultValue 'medium' */
    oldChargeSeverity: Severity.default('medium'),
  })
  .strict()
  .transform((rules) => ({
    ...rules,
    amountThresholds: Object.fromEntries(
      Object.entries(rules.amountThresholds).map(([currency, t]) => [currency.toUpperCase(), t]),
    ),
  }));
export type DisputeSeverityRules = z.output<typeof DisputeSeverityRules>;

/**
 * The rules used when `DISPUTE_SEVERITY_RULES` is unset: about 50,000 THB / 200,000 JPY /
 * 1,500 USD-SGD-EUR is high, four times that is critical; unauthorised or unrecognised
 * charges (the fraud-like codes) are high; a charge 90 days or older is medium.
 */
export const DEFAULT_DISPUTE_SEVERITY_RULES: DisputeSeverityRules = DisputeSeverityRules.parse({
  amountThresholds: {
    THB: { high: 5_000_000, critical: 20_000_000 },
    JPY: { high: 200_000, critical: 800_000 },
    USD: { high: 150_000, critical: 600_000 },
    SGD: { high: 150_000, critical: 600_000 },
    EUR: { high: 150_000, critical: 600_000 },
  },
  reasonCodes: ['unauthorized_charge', 'transaction_not_recognised', 'fraudulent'],
  oldChargeDays: 90,
});

/** What the rules look at. */
export interface DisputeFacts {
  amount: number;
  currency: string;
  reasonCode: string | null;
  /** When the dispute opened. */
  openedAt: Date;
  /** When the disputed charge was created; `undefined` when it could not be found. */
  chargeCreatedAt: Date | undefined;
}

export interface SeverityAssessment {
  severity: DisputeSeverity;
  /** Each matching rule, e.g. `amount>=5000000 THB`, `reason=unauthorized_charge`. */
  reasons: string[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Grades a dispute by the rules: a pure function, so it is tested as a table. */
export function assessDisputeSeverity(
  facts: DisputeFacts,
  rules: DisputeSeverityRules,
): SeverityAssessment {
  const matches: { severity: DisputeSeverity; reason: string }[] = [];
  const currency = facts.currency.toUpperCase();
  const thresholds = rules.amountThresholds[currency];
  if (thresholds?.critical !== undefined && facts.amount >= thresholds.critical) {
    matches.push({ severity: 'critical', reason: `amount>=${thresholds.critical} ${currency}` });
  } else if (thresholds?.high !== undefined && facts.amount >= thresholds.high) {
    matches.push({ severity: 'high', reason: `amount>=${thresholds.high} ${currency}` });
  }
  if (facts.reasonCode !== null && rules.reasonCodes.includes(facts.reasonCode)) {
    matches.push({ severity: rules.reasonCodeSeverity, reason: `reason=${facts.reasonCode}` });
  }
  if (rules.oldChargeDays !== undefined && facts.chargeCreatedAt !== undefined) {
    const ageDays = (facts.openedAt.getTime() - facts.chargeCreatedAt.getTime()) / DAY_MS;
    if (ageDays >= rules.oldChargeDays) {
      matches.push({
        severity: rules.oldChargeSeverity,
        reason: `charge_age>=${rules.oldChargeDays}d`,
      });
    }
  }
  const rank = (severity: DisputeSeverity) => SEVERITIES.indexOf(severity);
  const severity = matches.reduce<DisputeSeverity>(
    (highest, match) => (rank(match.severity) > rank(highest) ? match.severity : highest),
    rules.baseline,
  );
  return { severity, reasons: matches.map((match) => match.reason) };
}
