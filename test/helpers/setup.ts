import type { TestStrapi } from './strapi';
import { bootStrapi, stopStrapi } from './strapi';
import { grant, pluginActions, registerUser, roleByType, type TestUser } from './users';

/**
 * The usual fixture of a behaviour test file: one real Strapi, every plugin action granted to the
 * Authenticated role (as a site builder would), and `users(n)` registering real users.
 */
export const useStrapi = (options: { grantAll?: boolean; env?: Record<string, string> } = {}) => {
  const ctx = {
    strapi: undefined as unknown as TestStrapi,
    async users(n: number): Promise<TestUser[]> {
      const out: TestUser[] = [];
      for (let i = 0; i < n; i += 1) out.push(await registerUser(ctx.strapi));
      return out;
    },
  };
  beforeAll(async () => {
    ctx.strapi = await bootStrapi(options.env);
    if (options.grantAll !== false) {
      const role = await roleByType(ctx.strapi, 'authenticated');
      // The view-deleted permission is withheld: tests grant it where they need it.
      await grant(
        ctx.strapi,
        role.id,
        pluginActions(ctx.strapi).filter((a) => !a.endsWith('deleted-message.view'))
      );
    }
  });
  afterAll(() => stopStrapi(ctx.strapi));
  return ctx;
};
