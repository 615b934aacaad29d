import contentApi from '../../server/src/routes/content-api';
import { streamTicketStrategy } from '../../server/src/auth/stream-ticket-strategy';
import { contentApiRoutes } from '../../server/src/contract/routes';
import { REFUSAL_CODES } from '../../server/src/contract/errors';
import { REFUSAL_MESSAGES } from '../../server/src/services/refusal-messages';
import { GUARD_FAILED } from '../../server/src/services/guards';

/*
 * The route table (server/src/contract) as Strapi mounts it (routes/content-api.ts maps over it),
 * and the refusal codes: tsc already refuses a code the contract does not list, these say so at run
 * time too.
 */

const pattern = (path: string) => new RegExp(`^${path.replace(/:\w+/g, '[^/]+')}$`);

describe('the route table', () => {
  it('is what Strapi mounts, in order: method, path, and the users-permissions action as handler', () => {
    expect(contentApi.routes.map((r) => `${r.method} ${r.path} ${r.handler}`)).toEqual(
      contentApiRoutes.map((r) => `${r.method} ${r.path} ${r.action}`)
    );
  });

  it('answers with Retry-After on every route but the event stream, which takes a ticket before the JWT', () => {
    for (const r of contentApi.routes) {
      const expected =
        r.handler === 'stream.connect'
          ? { auth: { strategies: [streamTicketStrategy, 'users-permissions'] } }
          : { middlewares: ['plugin::private-messages.retry-after'] };
      expect([r.handler, r.config]).toEqual([r.handler, expected]);
    }
  });

  it('mounts no route after one that would answer it (`/threads/by-context` before `/threads/:id`)', () => {
    const shadowed = contentApi.routes.flatMap((later, i) =>
      contentApi.routes
        .slice(0, i)
        .filter((earlier) => earlier.method === later.method && pattern(earlier.path).test(later.path))
        .map((earlier) => `${later.method} ${later.path} behind ${earlier.path}`)
    );
    expect(shadowed).toEqual([]);
  });

  it('has one operation name per route', () => {
    const names = contentApiRoutes.map((r) => r.operation);
    expect(new Set(names).size).toBe(names.length);
  });

  it('lists every refusal code of the send gate and the guards', () => {
    expect([...REFUSAL_CODES].sort()).toEqual([...Object.keys(REFUSAL_MESSAGES), GUARD_FAILED].sort());
  });
});
