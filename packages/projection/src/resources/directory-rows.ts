import { type PiiPolicy, protectPii, toStorableJson, toStorableText } from '@omise-sync/core';
import type { ProjectionContext } from '../projection-context';
import type { FollowUpDeps } from '../resource-module';

const DROP: PiiPolicy = { mode: 'drop' };

/** The policy personal data is written under: the configured one, or `drop` without one. */
export function piiPolicy(deps: Pick<FollowUpDeps, 'pii'>): PiiPolicy {
  return deps.pii ?? DROP;
}

/** A personal value as the policy stores it. */
export function personal(value: string | null | undefined, policy: PiiPolicy): string | null {
  return protectPii(toStorableText(value ?? null), policy);
}

/** An optional text field as stored. */
export function text(value: string | null | undefined): string | null {
  return value === undefined || value === null ? null : toStorableText(value);
}

/** A JSON object as stored. */
export function storable(value: object): Record<string, unknown> {
  return toStorableJson(value) as Record<string, unknown>;
}

/** The columns every directory row carries besides its own. */
export function directoryColumns(
  object: { id: string; livemode?: boolean | undefined; created_at: string },
  context: ProjectionContext,
  fallbackLivemode = false,
) {
  return {
    id: object.id,
    livemode: object.livemode ?? fallbackLivemode,
    created_at: object.created_at,
    deleted_at: null,
    origin: context.origin,
    observed_at: context.observedAt,
  };
}

/**
 * `raw` as stored: the object as Omise returned it, with its personal fields as the policy
 * says and `replaced` fields swapped (nested lists and objects stored elsewhere or redacted).
 */
export function rawOf(
  object: Record<string, unknown>,
  personalKeys: readonly string[],
  policy: PiiPolicy,
  replaced: Record<string, unknown> = {},
): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...object, ...replaced };
  for (const key of personalKeys) {
    const value = copy[key];
    if (typeof value === 'string') copy[key] = personal(value, policy);
  }
  return storable(copy);
}

/** The recordset columns every directory table writes, `id` first. */
export const DIRECTORY_COLUMNS = [
  ['id', 'text'],
  ['account', 'text'],
  ['livemode', 'boolean'],
  ['created_at', 'timestamptz'],
  ['deleted_at', 'timestamptz'],
  ['raw', 'jsonb'],
  ['origin', 'text'],
  ['observed_at', 'timestamptz'],
] as const;
