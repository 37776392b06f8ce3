import { z } from 'zod';
import { Amount, Expandable, Metadata, openObject, UnknownOmiseObject } from './common.schema';
import { Dispute } from './dispute.schema';
import { OmiseList } from './list.schema';
import { Refund } from './refund.schema';
import { OmiseTimestamp, withCreatedAt } from './timestamp.schema';

const optionalString = z.string().nullable().optional();
const optionalTimestamp = OmiseTimestamp.nullable().optional();

/**
 * A charge (`chrg_`). Before API 2019-05-29 the refunded amount is `refunded` and the
 * currency is lowercase; both generations parse and unknown fields are kept.
 */
export const Charge = z.preprocess(
  withCreatedAt,
  openObject({
    object: z.literal('charge'),
    id: z.string(),
    livemode: z.boolean(),
    location: z.string(),
    amount: Amount,
    currency: z.string(),
    // Charges from API versions before 2015 have no status, only paid/captured flags.
    status: z.string().optional(),
    description: optionalString,
    metadata: Metadata.optional(),
    capture: z.boolean().optional(),
    authorized: z.boolean().optional(),
    paid: z.boolean().optional(),
    reversed: z.boolean().optional(),
    voided: z.boolean().optional(),
    expired: z.boolean().optional(),
    capturable: z.boolean().optional(),
    reversible: z.boolean().optional(),
    refundable: z.boolean().optional(),
    disputable: z.boolean().optional(),
    authorization_type: optionalString,
    authorized_amount: Amount.optional(),
    captured_amount: Amount.optional(),
    refunded_amount: Amount.optional(),
    refunded: Amount.optional(),
    funding_amount: Amount.optional(),
    funding_currency: z.string().optional(),
    fee: Amount.optional(),
    fee_vat: Amount.optional(),
    net: Amount.optional(),
    failure_code: optionalString,
    failure_message: optionalString,
    card: UnknownOmiseObject.nullable().optional(),
    source: UnknownOmiseObject.nullable().optional(),
    customer: Expandable.nullable().optional(),
    transaction: Expandable.nullable().optional(),
    refunds: OmiseList(Refund).optional(),
    dispute: Dispute.nullable().optional(),
    authorize_uri: optionalString,
    return_uri: optionalString,
    created_at: OmiseTimestamp,
    authorized_at: optionalTimestamp,
    paid_at: optionalTimestamp,
    expires_at: optionalTimestamp,
    expired_at: optionalTimestamp,
    reversed_at: optionalTimestamp,
  }),
);
export type Charge = z.infer<typeof Charge>;
