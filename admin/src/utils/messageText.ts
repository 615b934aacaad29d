/**
 * A stored message body (sanitized HTML) as plain text for the moderation page: moderators read
 * what was written without the panel ever rendering user-supplied markup.
 */
export const messageText = (body: string | null | undefined): string => {
  if (!body) return '';
  const withBreaks = body.replace(/<br\s*\/?>/gi, '\n').replace(/<\/(p|div|li|blockquote|pre|h[1-6]|tr)>/gi, '\n');
  // DOMParser builds an inert document: no script runs and no resource loads.
  const text = new DOMParser().parseFromString(withBreaks, 'text/html').body.textContent ?? '';
  return text.replace(/\n{3,}/g, '\n\n').trim();
};

/** "Firstname Lastname", or the email when the admin has no name. */
export const adminName = (admin: { firstname: string | null; lastname: string | null; email: string } | null) => {
  if (!admin) return null;
  const name = [admin.firstname, admin.lastname].filter(Boolean).join(' ').trim();
  return name || admin.email;
};
