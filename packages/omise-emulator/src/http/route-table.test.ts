import { defineRoute, findRoute, pathSegments } from './route-table';

const routes = [
  defineRoute('GET', '/disputes/open', () => 'open list'),
  defineRoute('GET', '/disputes/:id', (_call: null, { id }) => `dispute ${id}`),
  defineRoute('PATCH', '/disputes/:id', (_call: null, { id }) => `update ${id}`),
  defineRoute(
    'GET',
    '/disputes/:id/documents/:documentId',
    (_call: null, { id, documentId }) => `document ${documentId} of ${id}`,
  ),
];

async function answer(method: string, path: string): Promise<string | undefined> {
  const found = findRoute(routes, method, pathSegments(path));
  return found === undefined ? undefined : found.route.handler(null, found.params);
}

test.each([
  ['GET', '/disputes/open', 'open list'],
  ['GET', '/disputes/dspt_1', 'dispute dspt_1'],
  ['PATCH', '/disputes/open', 'update open'],
  ['GET', '/disputes/dspt_1/documents/docu_2', 'document docu_2 of dspt_1'],
  ['GET', '//disputes//dspt_1/', 'dispute dspt_1'],
])('%s %s is answered by its first matching row: %s', async (method, path, expected) => {
  expect(await answer(method, path)).toBe(expected);
});

test.each([
  ['DELETE', '/disputes/dspt_1'],
  ['GET', '/disputes'],
  ['GET', '/disputes/dspt_1/documents'],
  ['GET', '/disputes/dspt_1/documents/docu_2/extra'],
  ['GET', '/charges/chrg_1'],
])('%s %s matches no row (wrong method, or another number of segments)', async (method, path) => {
  expect(await answer(method, path)).toBeUndefined();
});
