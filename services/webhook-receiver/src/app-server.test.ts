import { once } from 'node:events';
import { IncomingMessage, ServerResponse, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import { createAppServer } from './app-server';

const servers: Server[] = [];

async function listen(app: Express): Promise<{ server: Server; url: string }> {
  const server = createAppServer(app);
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))),
  );
});

describe('createAppServer', () => {
  it("creates requests and responses with the app's prototypes, so express never changes them", async () => {
    const app = express();
    const seen: { arrived?: [object | null, object | null]; routed?: [object, object] } = {};
    app.get('/', (req, res) => {
      seen.routed = [Object.getPrototypeOf(req) as object, Object.getPrototypeOf(res) as object];
      res.end();
    });
    const { server, url } = await listen(app);
    // Before express sees the request: what node built.
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      seen.arrived = [Object.getPrototypeOf(req) as object, Object.getPrototypeOf(res) as object];
    });

    await fetch(url);

    expect(seen.arrived?.[0]).toBe(app.request);
    expect(seen.arrived?.[1]).toBe(app.response);
    expect(seen.routed?.[0]).toBe(app.request);
    expect(seen.routed?.[1]).toBe(app.response);
  });

  it("keeps express's request and response API and node's classes", async () => {
    const app = express();
    app.set('trust proxy', false);
    app.post('/things/:id', express.json(), (req, res) => {
      res
        .status(201)
        .set('X-Seen', req.get('x-test') ?? '')
        .json({
          sameApp: req.app === app,
          params: req.params,
          query: req.query,
          body: req.body as unknown,
          ip: req.ip,
          isIncomingMessage: req instanceof IncomingMessage,
          isServerResponse: res instanceof ServerResponse,
        });
    });
    app.use((_req, res) => {
      res.sendStatus(404);
    });
    const { url } = await listen(app);

    const created = await fetch(`${url}/things/t1?x=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-test': 'yes' },
      body: JSON.stringify({ a: 1 }),
    });
    const missing = await fetch(`${url}/nowhere`);

    expect(created.status).toBe(201);
    expect(created.headers.get('x-seen')).toBe('yes');
    expect(await created.json()).toEqual({
      sameApp: true,
      params: { id: 't1' },
      query: { x: '1' },
      body: { a: 1 },
      ip: '127.0.0.1',
      isIncomingMessage: true,
      isServerResponse: true,
    });
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('Not Found');
  });

  it('gives each app its own prototypes', async () => {
    const first = express();
    const second = express();
    first.locals['name'] = 'first';
    second.locals['name'] = 'second';
    for (const app of [first, second]) {
      app.get('/', (req, res) => {
        res.json({ app: req.app.locals['name'] as unknown, own: req.app === app });
      });
    }
    const one = await listen(first);
    const two = await listen(second);

    expect(await (await fetch(one.url)).json()).toEqual({ app: 'first', own: true });
    expect(await (await fetch(two.url)).json()).toEqual({ app: 'second', own: true });
    expect(first.request).not.toBe(second.request);
  });
});
