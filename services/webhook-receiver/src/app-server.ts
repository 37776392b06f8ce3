import {
  createServer,
  IncomingMessage,
  ServerResponse,
  type Server,
  type ServerOptions,
} from 'node:http';
import { type Express, type Request, type Response } from 'express';

/**
 * An HTTP server for an express app whose requests and responses are born with the app's
 * request and response prototypes, instead of node's, so that express never changes them.
 *
 * express's `app.handle` runs `Object.setPrototypeOf(req, app.request)` (and the same for `res`)
 * on every request. In V8 that is far from free: an object whose prototype changed after it was
 * made keeps much of what it points to alive through the next scavenges. Measured on the
 * receiver's machine (one core, autocannon on the other, a bare `app.post` route, 50
 * connections): ~50 % of the young generation survived each scavenge, scavenges took 6–12 ms,
 * and the route served ~8,500 req/s; with the prototypes preset, 0.2 % survived, scavenges took
 * ~0.5 ms, and the same route served ~28,000 req/s. This is the fix proposed in
 * expressjs/express#5998; express 5.x does not ship it yet.
 *
 * How: node builds requests and responses from the classes in `createServer`'s options. Those
 * classes extend node's, their prototypes are given express's request and response methods (the
 * prototypes of `app.request` / `app.response`) and the app's own members of those (`app`), and
 * the app is told to use them as its `request` / `response`. `Object.setPrototypeOf` with the
 * prototype an object already has changes nothing, so express's call becomes a no-op.
 *
 * Only for an app that mounts no sub-app: a mounted app sets its own prototypes on the way in
 * and the parent's on the way out, which is correct but brings the cost back for those routes.
 */
export function createAppServer(app: Express, options: ServerOptions = {}): Server {
  class AppRequest extends IncomingMessage {}
  class AppResponse extends ServerResponse<AppRequest> {}
  adoptPrototype(AppRequest.prototype, app.request);
  adoptPrototype(AppResponse.prototype, app.response);
  // Typed as express's: their chains are express's request and response (adoptPrototype).
  app.request = AppRequest.prototype as unknown as Request;
  app.response = AppResponse.prototype as unknown as Response;
  return createServer(
    { ...options, IncomingMessage: AppRequest, ServerResponse: AppResponse },
    app,
  );
}

/**
 * Gives `target` (a prototype whose chain is node's) what `appPrototype` has: its chain (which
 * extends node's with express's methods) and its own members.
 */
function adoptPrototype(target: object, appPrototype: object): void {
  Object.setPrototypeOf(target, Object.getPrototypeOf(appPrototype) as object | null);
  Object.defineProperties(target, Object.getOwnPropertyDescriptors(appPrototype));
}
