export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The names of a pattern's `:name` segments: `'/charges/:id/refunds/:refundId'` → `'id' | 'refundId'`. */
type ParamNames<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | ParamNames<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;

/** The values of a pattern's `:name` segments, by name. */
export type RouteParams<P extends string> = { readonly [K in ParamNames<P>]: string };

type Params = Readonly<Record<string, string>>;

/**
 * One row of a route table: a method, a path pattern whose `:name` segments match any one
 * segment, and the handler they lead to.
 */
export interface Route<Call, Reply> {
  readonly method: HttpMethod;
  readonly pattern: string;
  readonly handler: (call: Call, params: Params) => Reply | Promise<Reply>;
  readonly segments: readonly string[];
}

export function pathSegments(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

/** A route whose handler sees its pattern's parameters by name, typed from the pattern. */
export function defineRoute<P extends string, Call, Reply>(
  method: HttpMethod,
  pattern: P,
  handler: (call: Call, params: RouteParams<P>) => Reply | Promise<Reply>,
): Route<Call, Reply> {
  return {
    method,
    pattern,
    segments: pathSegments(pattern),
    // findRoute only calls a handler with a value for every `:name` of its pattern.
    handler: (call, params) => handler(call, params as RouteParams<P>),
  };
}

function matchParams(pattern: readonly string[], segments: readonly string[]): Params | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const part = pattern[i] as string;
    const segment = segments[i] as string;
    if (part.startsWith(':')) params[part.slice(1)] = segment;
    else if (part !== segment) return undefined;
  }
  return params;
}

/** The first route of the table that matches, with its parameters; tables list literals first. */
export function findRoute<
  R extends { readonly method: string; readonly segments: readonly string[] },
>(
  routes: readonly R[],
  method: string,
  segments: readonly string[],
): { route: R; params: Params } | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const params = matchParams(route.segments, segments);
    if (params !== undefined) return { route, params };
  }
  return undefined;
}
