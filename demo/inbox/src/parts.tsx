import { isPrivateMessagesError } from '../../../client/src';

export type Me = { id: number; username: string };

/** What to tell the user about a failed request: the server's message and, for refusals, each reason. */
export const errorText = (error: unknown) => {
  if (!isPrivateMessagesError(error)) return error instanceof Error ? error.message : String(error);
  if (error.refused.length > 0) return error.refused.map((r) => r.message).join('; ');
  if (error.status === 429) return `Too many messages: try again in ${error.retryAfter ?? 'a few'} seconds.`;
  return error.message;
};

const shown = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/**
 * The site's custom fields of a thread or a message (`fields`, from the plugin's `fields` config),
 * when the server has them and one has a value.
 */
export const Fields = ({ of, inline = false }: { of: object; inline?: boolean }) => {
  const fields = (of as { fields?: Record<string, unknown> }).fields;
  const entries = fields && typeof fields === 'object' ? Object.entries(fields).filter(([, v]) => v !== null && v !== undefined) : [];
  if (entries.length === 0) return null;
  if (inline) return <span className="fields">{entries.map(([k, v]) => `${k}: ${shown(v)}`).join(' · ')}</span>;
  return (
    <dl className="fields">
      {entries.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{shown(v)}</dd>
        </div>
      ))}
    </dl>
  );
};
