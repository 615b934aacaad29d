/*
 * Server-Sent Events framing (https://html.spec.whatwg.org/multipage/server-sent-events.html):
 * fields are `name: value` lines, an event ends with a blank line, a line starting with `:` is a
 * comment (ignored by clients, enough to keep proxies from closing an idle connection).
 */

import type { StreamEventName } from '../contract/stream';

/** The events of the contract (contract/stream.ts; docs/api.md, *Real-time stream*). */
export type { StreamEventName };

export type StreamEvent = { id: string; event: StreamEventName; data: Record<string, unknown> };

/** An event before it is written to one stream: its place in the user's sequence, not yet its id. */
export type SequencedEvent = { seq: number; event: StreamEventName; data: Record<string, unknown> };

/** One event. The data is JSON on one line (JSON.stringify never emits a raw newline). */
export const formatEvent = ({ id, event, data }: StreamEvent) => `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/** A comment: newlines would end it, so they are dropped. */
export const formatComment = (text: string) => `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`;

/**
 * An id with no event: EventSource takes it as its last event id (WHATWG: the id is set before an
 * empty event is dropped), so a stream that has received nothing yet can still resume.
 */
export const formatPosition = (id: string) => `id: ${id}\n\n`;

/** How long EventSource waits before it reconnects. */
export const formatRetry = (ms: number) => `retry: ${Math.round(ms)}\n\n`;

/** The random part of an event id that lets a ticket's stream resume (services/stream-tickets.ts): 128 bits, base64url. */
export const RESUME_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/**
 * An event id as this plugin writes them, `<resume>.<epoch>.<sequence>` (hub.ts), or null for
 * anything else (an old format, garbage: answered with `resync`).
 */
export const parseEventId = (value: unknown): { resume: string; epoch: string; seq: number } | null => {
  if (typeof value !== 'string') return null;
  const match = /^([A-Za-z0-9_-]{22})\.([a-f0-9]{12})\.(\d{1,15})$/.exec(value.trim());
  return match ? { resume: match[1], epoch: match[2], seq: Number(match[3]) } : null;
};
