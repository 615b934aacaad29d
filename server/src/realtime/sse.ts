/*
 * Server-Sent Events framing (https://html.spec.whatwg.org/multipage/server-sent-events.html):
 * fields are `name: value` lines, an event ends with a blank line, a line starting with `:` is a
 * comment (ignored by clients, enough to keep proxies from closing an idle connection).
 */

/** The events of the contract (docs/api.md, *Real-time stream*). */
export type StreamEventName = 'message.created' | 'thread.updated' | 'unread-count' | 'resync' | 'reauth';

export type StreamEvent = { id: string; event: StreamEventName; data: Record<string, unknown> };

/** One event. The data is JSON on one line (JSON.stringify never emits a raw newline). */
export const formatEvent = ({ id, event, data }: StreamEvent) => `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/** A comment: newlines would end it, so they are dropped. */
export const formatComment = (text: string) => `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`;

/** How long EventSource waits before it reconnects. */
export const formatRetry = (ms: number) => `retry: ${Math.round(ms)}\n\n`;

/**
 * `Last-Event-ID` as this plugin writes ids, `<instance>.<sequence>`, or null for anything else
 * (another instance's id, a restarted instance's, garbage: all answered with `resync`).
 */
export const parseEventId = (value: unknown): { instance: string; seq: number } | null => {
  if (typeof value !== 'string') return null;
  const match = /^([a-z0-9]{1,32})\.(\d{1,15})$/.exec(value.trim());
  return match ? { instance: match[1], seq: Number(match[2]) } : null;
};
