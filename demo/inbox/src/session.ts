/*
 * Logging in and out with users-permissions in refresh mode (what a new Strapi 5 app uses): a
 * short-lived access token (the JWT) and a refresh token in an httpOnly cookie. The JWT is kept in
 * sessionStorage; `renew()` gets a new one from the cookie when the server refuses the old one; and
 * logging out ends the session on the server (POST /api/auth/logout revokes it and clears the
 * cookie), or the next person at this browser could get a token for the previous user.
 */

export type Session = { jwt: string; user: { id: number; username: string } };

const KEY = 'pm-demo';
const base = window.location.origin;

export const savedSession = (): Session | null => JSON.parse(sessionStorage.getItem(KEY) ?? 'null');
const save = (session: Session | null) => (session ? sessionStorage.setItem(KEY, JSON.stringify(session)) : sessionStorage.removeItem(KEY));

const post = (path: string, body: unknown, jwt?: string) =>
  fetch(`${base}/api${path}`, {
    method: 'POST',
    credentials: 'include',
    headers: { 'content-type': 'application/json', ...(jwt ? { authorization: `Bearer ${jwt}` } : {}) },
    body: JSON.stringify(body),
  });

export const login = async (identifier: string, password: string): Promise<Session> => {
  const res = await post('/auth/local', { identifier, password });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new Error(body?.error?.message ?? 'Login failed');
  const session = { jwt: body.jwt as string, user: { id: body.user.id as number, username: body.user.username as string } };
  save(session);
  return session;
};

/** A new access token from the refresh cookie, or null when the session is over. */
export const renew = async (): Promise<string | null> => {
  const current = savedSession();
  if (!current) return null;
  const res = await post('/auth/refresh', {}).catch(() => null);
  const body = res?.ok ? await res.json().catch(() => null) : null;
  if (!body?.jwt) return null;
  save({ ...current, jwt: body.jwt });
  return body.jwt;
};

export const logout = async () => {
  const current = savedSession();
  save(null);
  // Ends the session on the server: the refresh cookie no longer gives anyone a token.
  if (current) await post('/auth/logout', {}, current.jwt).catch(() => null);
};
