import fs from 'node:fs';
import path from 'node:path';
import contentApi from '../../server/src/routes/content-api';
import { contentApiContract } from '../../server/src/contract/routes';
import { streamContract } from '../../server/src/contract/stream';
import { REFUSAL_CODES } from '../../server/src/contract/errors';
import { REFUSAL_MESSAGES } from '../../server/src/services/refusal-messages';

/* The route table (server/src/contract) against the routes Strapi mounts and the send gate's codes. */

const ROOT = path.resolve(__dirname, '../..');
const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

describe('the route table', () => {
  const mounted = new Map(contentApi.routes.map((r) => [key(r), r.handler as string]));
  const declared = new Map(contentApiContract.map((r) => [key(r), r.action as string]));
  const stream = new Map(streamContract.map((r) => [key(r), r.action as string]));

  it('declares every mounted content-API route, with its action', () => {
    const undeclared = [...mounted].filter(([k, handler]) => declared.get(k) !== handler && stream.get(k) !== handler);
    expect(undeclared).toEqual([]);
  });

  it('has no route that is not mounted (the stream routes once the server has them)', () => {
    expect([...declared].filter(([k]) => !mounted.has(k))).toEqual([]);
    // The stream's routes follow the contract; until routes/content-api.ts mounts them they are only
    // declared, but a mounted stream route must match them.
    for (const [k, action] of stream) if (mounted.has(k)) expect(mounted.get(k)).toBe(action);
  });

  it('has one operation name per route', () => {
    const names = [...contentApiContract, ...streamContract].map((r) => r.operation);
    expect(new Set(names).size).toBe(names.length);
  });

  it('lists every refusal code of the send gate and the guards', () => {
    const gateCodes = Object.keys(REFUSAL_MESSAGES);
    const guards = fs.readFileSync(path.join(ROOT, 'server/src/services/guards.ts'), 'utf8');
    const guardCodes = [...guards.matchAll(/GUARD_FAILED = '(\w+)'/g)].map((m) => m[1]);
    expect([...REFUSAL_CODES].sort()).toEqual([...new Set([...gateCodes, ...guardCodes])].sort());
  });
});
