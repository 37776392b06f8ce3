import type { z } from 'zod';
import {
  createListIterable,
  type ListParams,
  type OmiseListIterable,
} from '../omise-list-iterable';
import type { Requester } from '../omise-request';
import type { OmiseList } from '../schemas/list.schema';

/** Parameters Omise accepts beyond the typed ones; they pass through unchanged. */
export type ExtraParams = { readonly [param: string]: unknown };

/** A list endpoint as an async iterable; every page is a retryable read. */
export function requestList<T extends { id?: unknown }>(
  request: Requester,
  path: string,
  pathParams: Readonly<Record<string, string>>,
  schema: z.ZodType<OmiseList<T>>,
  params: ListParams | undefined,
): OmiseListIterable<T> {
  return createListIterable(params, (query) =>
    request({ method: 'GET', path, pathParams, query, kind: 'read', schema }),
  );
}
