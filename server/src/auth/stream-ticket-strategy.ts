import { errors } from '@strapi/utils';
import { emailConfirmationRequired } from '../services/stream-access';
import { getService } from '../utils/get-service';

/**
 * Authentication by `?ticket=` (POST /stream/tickets) for GET /stream, tried before the
 * users-permissions JWT: the browser's EventSource cannot send a header. The user comes only from
 * the ticket, and is refused as users-permissions refuses a JWT's (blocked, or unconfirmed while
 * email confirmation is on); their role's grants are checked as for a JWT (verify), so a role
 * without `stream.connect` gets 403 either way. A used ticket needs its stream's resume secret in
 * Last-Event-ID (services/stream-tickets.ts). A request without a ticket is left to the JWT; one
 * with neither is a 401.
 */
export const streamTicketStrategy = {
  name: 'private-messages-stream-ticket',

  async authenticate(ctx: any) {
    const ticket = ctx.query?.ticket;
    if (ticket === undefined) {
      // A stream is always someone's: without any credential, 401 (not the Public role's 403).
      return ctx.get('authorization') ? { authenticated: false } : { error: 'Missing credentials: a Bearer JWT or ?ticket=' };
    }
    // Only the header proves a resume: a `lastEventId` query is in the URL, and so in the logs.
    const found = typeof ticket === 'string' ? await getService('stream').useTicket(ticket, ctx.get('last-event-id') || undefined) : null;
    if (!found) return { error: 'Invalid, expired or already used ticket' };
    const up = strapi.plugin('users-permissions');
    const user = await up.service('user').fetchAuthenticatedUser(found.userId);
    if (!user || user.blocked) return { error: 'Invalid credentials' };
    if (!user.confirmed && (await emailConfirmationRequired(strapi))) return { error: 'Invalid credentials' };
    const permission = up.service('permission');
    const permissions = (await permission.findRolePermissions(user.role.id)).map(permission.toContentAPIPermission);
    const ability = await (strapi as any).contentAPI.permissions.engine.generateAbility(permissions);
    ctx.state.user = user;
    ctx.state.streamCredentialExpiresAt = found.expiresAt.getTime();
    ctx.state.streamResume = found.resume;
    return { authenticated: true, credentials: user, ability };
  },

  async verify(auth: { ability?: { can(action: string): boolean } | null }, config: { scope?: string | string[] }) {
    const scopes = config.scope === undefined ? [] : Array.isArray(config.scope) ? config.scope : [config.scope];
    if (!auth.ability) throw new errors.UnauthorizedError();
    if (!scopes.every((scope) => auth.ability!.can(scope))) throw new errors.ForbiddenError();
  },
};
