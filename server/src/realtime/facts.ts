import { EVENTS, type StreamEventPayloads } from '../events';
import type { Fact } from './bus';

type Translators = { [E in keyof StreamEventPayloads]: (payload: Partial<StreamEventPayloads[E]>) => Fact | null };

/**
 * What each of the plugin's events the stream listens to means for the instances (realtime/bus):
 * a fact, or nothing when the payload lacks what the fact needs. The payloads are emitted by the
 * services after their transactions commit (events.ts).
 */
export const FACT_OF: Translators = {
  [EVENTS.messageCreated]: (p) => (p.messageId ? { t: 'm', m: String(p.messageId), k: 'created' } : null),
  [EVENTS.messageDelivered]: (p) => (p.messageId ? { t: 'm', m: String(p.messageId), k: 'delivered' } : null),
  [EVENTS.messageDeleted]: (p) => (p.messageId ? { t: 'm', m: String(p.messageId), k: 'deleted' } : null),
  [EVENTS.threadsUpdated]: (p) => (p.userId ? { t: 'u', u: Number(p.userId), th: (p.threadIds ?? []).map(String) } : null),
  [EVENTS.threadLeft]: (p) => (p.userId ? { t: 'u', u: Number(p.userId), th: p.threadId ? [String(p.threadId)] : [] } : null),
  [EVENTS.userSuspended]: (p) => (p.userId ? { t: 'r', u: Number(p.userId) } : null),
  // An erased user's open streams end on every instance.
  [EVENTS.userErased]: (p) => (p.userId ? { t: 'e', u: Number(p.userId) } : null),
};

/** The plugin's events (events.ts) the stream listens to: not the stream's own event names (contract/stream.ts). */
export const EVENTS_WITH_FACTS = Object.keys(FACT_OF) as (keyof StreamEventPayloads)[];

/** The fact of one emitted event (any payload: emitted by code outside this file's types too). */
export const factOf = <E extends keyof StreamEventPayloads>(event: E, payload: unknown): Fact | null =>
  FACT_OF[event]((payload ?? {}) as Partial<StreamEventPayloads[E]>);
