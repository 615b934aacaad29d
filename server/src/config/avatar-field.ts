/**
 * Which users-permissions user attribute may hold avatars. Whatever it holds is published to every
 * user who sees a UserSummary (recipient autocomplete, thread participants), so it must be an
 * attribute the users-permissions API would publish anyway: a media attribute, or a non-private
 * string. Otherwise an admin who may only edit these settings could read other users' password
 * reset tokens or email addresses as their "avatarUrl". Pure: the caller passes the model.
 */

export type UserModel = {
  attributes?: Record<string, { type?: string; private?: boolean; multiple?: boolean } | undefined>;
  options?: { privateAttributes?: string[] };
};

export type AvatarKind = 'media' | 'string';

/** Never an avatar, whatever a site builder's model says of them (they hold credentials or addresses). */
const SECRET_NAMES = new Set(['password', 'resetPasswordToken', 'confirmationToken', 'email']);
/** Attribute types that may hold a URL as text. `email` and `password` are strings too, but never avatars. */
const STRING_TYPES = new Set(['string', 'text']);

/**
 * Why `field` cannot hold avatars, or null when it can. `globalPrivate` is the app's
 * `api.responses.privateAttributes` (attributes private on every model).
 */
export const avatarFieldProblem = (model: UserModel | undefined, field: string, globalPrivate: string[] = []): string | null => {
  const attribute = Object.prototype.hasOwnProperty.call(model?.attributes ?? {}, field) ? model?.attributes?.[field] : undefined;
  if (!attribute) return 'is not an attribute of the users-permissions user';
  if (
    SECRET_NAMES.has(field) ||
    attribute.private === true ||
    model?.options?.privateAttributes?.includes(field) ||
    globalPrivate.includes(field) ||
    attribute.type === 'password' ||
    attribute.type === 'email'
  ) {
    return 'is a private attribute of the user (it would be published as every user’s avatarUrl)';
  }
  if (attribute.type === 'media') {
    return attribute.multiple ? 'must be a single media attribute, not a multiple one' : null;
  }
  if (STRING_TYPES.has(attribute.type ?? '')) return null;
  return `must be a media attribute or a string attribute (it is a ${attribute.type ?? 'untyped'} attribute)`;
};

/** How to read avatars from `field`, or null when it may not hold them (then everyone gets the default avatar). */
export const avatarKindOf = (model: UserModel | undefined, field: string | null, globalPrivate: string[] = []): AvatarKind | null => {
  if (!field || avatarFieldProblem(model, field, globalPrivate) !== null) return null;
  return model?.attributes?.[field]?.type === 'media' ? 'media' : 'string';
};
