import { z } from 'zod';
import { OmiseApiError } from './omise-api-error';

/**
 * Request parameters for each endpoint, one zod schema per boundary. Omise takes form-encoded
 * bodies (`metadata[color]=black`, `webhook_endpoints[]=…`) and JSON bodies (omise-node), so
 * numbers and booleans may arrive as strings.
 */

const intLike = z.union(
  [
    z.number().int(),
    z
      .string()
      .regex(/^-?\d+$/, { error: 'must be an integer' })
      .transform(Number),
  ],
  { error: 'must be an integer' },
);
const boolLike = z.union(
  [z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')],
  { error: 'must be true or false' },
);
const text = z.string().max(10_000);
const metadata = z.record(z.string(), z.unknown());

export const CreateTokenParams = z.object({
  card: z.object({
    name: z.string().min(1, { error: "can't be blank" }),
    number: z.string().min(1, { error: "can't be blank" }),
    expiration_month: intLike,
    expiration_year: intLike,
    security_code: z.string().optional(),
    city: z.string().optional(),
    postal_code: z.string().optional(),
    country: z.string().optional(),
  }),
});
export type CreateTokenParams = z.infer<typeof CreateTokenParams>;

export const CreateCustomerParams = z.object({
  email: z.string().optional(),
  description: text.optional(),
  metadata: metadata.optional(),
  card: z.string().optional(),
});
export type CreateCustomerParams = z.infer<typeof CreateCustomerParams>;

export const CreateChargeParams = z.object({
  amount: intLike,
  currency: z.string().min(1),
  card: z.string().optional(),
  customer: z.string().optional(),
  capture: boolLike.optional(),
  authorization_type: z.enum(['pre_auth', 'final_auth']).optional(),
  description: text.nullable().optional(),
  metadata: metadata.optional(),
  ip: z.string().optional(),
  return_uri: z.string().optional(),
  webhook_endpoints: z.array(z.url()).max(2).optional(),
});
export type CreateChargeParams = z.infer<typeof CreateChargeParams>;

export const UpdateChargeParams = z.object({
  description: text.nullable().optional(),
  metadata: metadata.optional(),
});
export type UpdateChargeParams = z.infer<typeof UpdateChargeParams>;

export const CaptureChargeParams = z.object({ capture_amount: intLike.optional() });
export type CaptureChargeParams = z.infer<typeof CaptureChargeParams>;

export const CreateRefundParams = z.object({
  amount: intLike,
  metadata: metadata.optional(),
  void: boolLike.optional(),
});
export type CreateRefundParams = z.infer<typeof CreateRefundParams>;

/** `reason_code` is an emulator extension: Omise's test endpoint takes no parameters. */
export const CreateDisputeParams = z.object({ reason_code: z.string().min(1).optional() });
export type CreateDisputeParams = z.infer<typeof CreateDisputeParams>;

export const UpdateDisputeParams = z.object({
  message: text.nullable().optional(),
  metadata: metadata.optional(),
});
export type UpdateDisputeParams = z.infer<typeof UpdateDisputeParams>;

/** `POST /transfers`: to the default bank account (recipients are not emulated). */
export const CreateTransferParams = z.object({
  amount: intLike,
  metadata: metadata.optional(),
});
export type CreateTransferParams = z.infer<typeof CreateTransferParams>;

export const UpdateTransferParams = z.object({ metadata: metadata.optional() });
export type UpdateTransferParams = z.infer<typeof UpdateTransferParams>;

export const CloseDisputeParams = z.object({ status: z.enum(['won', 'lost']) });
export type CloseDisputeParams = z.infer<typeof CloseDisputeParams>;

/** Document kinds seed 002 lists (unverified against official sources, see README). */
export const DocumentKind = z.enum([
  'cardholder_details',
  'details_of_purchase',
  'proof_of_receipt',
  'proof_of_acceptance',
]);
export type DocumentKind = z.infer<typeof DocumentKind>;

/** Parses params or throws an Omise error listing every problem (`amount must be an integer`). */
export function parseParams<S extends z.ZodType>(
  schema: S,
  input: unknown,
  errorCode = 'bad_request',
): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const valueAt = (path: readonly PropertyKey[]): unknown =>
    path.reduce<unknown>(
      (value, key) =>
        value !== null && typeof value === 'object'
          ? (value as Record<PropertyKey, unknown>)[key]
          : undefined,
      input,
    );
  const message = result.error.issues
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      const problem =
        path !== '' && valueAt(issue.path) === undefined ? 'is required' : issue.message;
      return path === '' ? problem : `${path} ${problem}`;
    })
    .join(', ');
  throw new OmiseApiError(400, errorCode, message);
}

type FormValue = string | FormValue[] | { [key: string]: FormValue };

/**
 * Decodes `application/x-www-form-urlencoded` with Rails-style brackets, as Omise reads it:
 * `metadata[color]=black` → `{ metadata: { color: 'black' } }`, `a[]=1&a[]=2` → `{ a: ['1','2'] }`.
 */
export function parseFormBody(body: string): Record<string, unknown> {
  const root: Record<string, FormValue> = {};
  for (const [rawKey, value] of new URLSearchParams(body)) {
    const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(rawKey);
    if (match === null) continue;
    const head = match[1] ?? '';
    const segments = [...(match[2] ?? '').matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1] ?? '');
    const keys = [head, ...segments];
    let container: Record<string, FormValue> | FormValue[] = root;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] ?? '';
      const last = i === keys.length - 1;
      const nextKey = keys[i + 1];
      if (Array.isArray(container)) {
        if (last) {
          container.push(value);
        } else {
          const child: Record<string, FormValue> = {};
          container.push(child);
          container = child;
        }
        continue;
      }
      if (last) {
        container[key] = value;
        continue;
      }
      const existing: FormValue | undefined = container[key];
      if (nextKey === '') {
        const arr: FormValue[] = Array.isArray(existing) ? existing : [];
        container[key] = arr;
        container = arr;
      } else {
        const obj: Record<string, FormValue> =
          existing !== undefined && typeof existing === 'object' && !Array.isArray(existing)
            ? existing
            : {};
        container[key] = obj;
        container = obj;
      }
    }
  }
  return root;
}

export const UpdateCustomerParams = z.object({
  email: z.string().optional(),
  description: text.optional(),
  metadata: metadata.optional(),
  /** A token: adds its card to the customer. */
  card: z.string().optional(),
});
export type UpdateCustomerParams = z.infer<typeof UpdateCustomerParams>;

export const UpdateCardParams = z.object({
  name: z.string().min(1).optional(),
  city: z.string().optional(),
  postal_code: z.string().optional(),
});
export type UpdateCardParams = z.infer<typeof UpdateCardParams>;

export const CreateRecipientParams = z.object({
  name: z.string().min(1, { error: "can't be blank" }),
  email: z.string().optional(),
  description: text.optional(),
  type: z.enum(['individual', 'corporation']).default('individual'),
  tax_id: z.string().optional(),
  metadata: metadata.optional(),
  bank_account: z.object({
    brand: z.string().min(1),
    number: z.string().regex(/^\d{4,20}$/, { error: 'must be digits' }),
    name: z.string().min(1),
  }),
});
export type CreateRecipientParams = z.infer<typeof CreateRecipientParams>;

export const UpdateRecipientParams = z.object({
  name: z.string().min(1).optional(),
  email: z.string().optional(),
  description: text.optional(),
  metadata: metadata.optional(),
});
export type UpdateRecipientParams = z.infer<typeof UpdateRecipientParams>;

export const CreateScheduleParams = z.object({
  every: intLike.pipe(z.number().min(1)),
  period: z.enum(['day', 'week', 'month']),
  start_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  end_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  charge: z.object({
    customer: z.string().min(1),
    card: z.string().optional(),
    amount: intLike.pipe(z.number().min(1)),
    currency: z.string().min(1).default('thb'),
    description: text.optional(),
  }),
});
export type CreateScheduleParams = z.infer<typeof CreateScheduleParams>;

export const CreateLinkParams = z.object({
  amount: intLike.pipe(z.number().min(1)),
  currency: z.string().min(1),
  title: text,
  description: text,
  multiple: boolLike.optional(),
});
export type CreateLinkParams = z.infer<typeof CreateLinkParams>;
