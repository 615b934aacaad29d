/**
 * What instances tell each other: facts, not events for a user. Each instance decides for itself
 * which of its own streams may hear of a fact (services/stream.ts), with the visibility rule.
 * - `m`: a message was created, delivered to a big thread's members, or deleted (its documentId);
 * - `u`: a user's threads changed (read state, tags, leave, removal): their documentIds;
 * - `r`: check a user again now (suspended): their streams may have to close.
 */
export type Fact =
  | { t: 'm'; m: string; k: 'created' | 'delivered' | 'deleted' }
  | { t: 'u'; u: number; th: string[] }
  | { t: 'r'; u: number }
  /** The user's messaging data was erased: their streams end, whatever the rules say. */
  | { t: 'e'; u: number };

export type BusHandlers = {
  /** Facts published by other instances. */
  receive(facts: Fact[]): void;
  /** Facts may have been lost (the connection to the bus dropped, or polling failed): tell every stream `resync`. */
  gap(reason: string): void;
};

/**
 * One way of carrying facts between instances. `publish` is called after the change committed,
 * and never throws (a failure is a gap for the others, who resync); the publishing instance
 * handles its own facts itself, so a bus only has to reach the others.
 */
export interface Bus {
  readonly name: string;
  start(handlers: BusHandlers): Promise<void>;
  publish(fact: Fact): void;
  /** Closes every connection and timer it opened. */
  stop(): Promise<void>;
}

export type BusLog = { warn(message: string): void; info(message: string): void };

/** Facts from one instance, as sent over a bus: the origin lets an instance skip its own. */
export type Envelope = { o: string; f: Fact[] };

export const parseEnvelope = (text: string): Envelope | null => {
  try {
    const value = JSON.parse(text);
    return value && typeof value.o === 'string' && Array.isArray(value.f) ? (value as Envelope) : null;
  } catch {
    return null;
  }
};

/**
 * Collects facts published within `delayMs` into one send (PostgreSQL takes a global lock per
 * NOTIFYing commit; fewer, bigger notifications contend less), split so that no send exceeds
 * `maxBytes`.
 */
export const coalescer = (delayMs: number, maxBytes: number, flush: (payloads: string[]) => void, origin: string) => {
  let pending: Fact[] = [];
  let timer: NodeJS.Timeout | null = null;
  const run = () => {
    timer = null;
    const facts = pending;
    pending = [];
    const payloads: string[] = [];
    const overhead = JSON.stringify({ o: origin, f: [] }).length;
    let batch: Fact[] = [];
    let size = overhead;
    for (const fact of facts) {
      const length = JSON.stringify(fact).length + 1;
      if (batch.length > 0 && size + length > maxBytes) {
        payloads.push(JSON.stringify({ o: origin, f: batch }));
        batch = [];
        size = overhead;
      }
      batch.push(fact);
      size += length;
    }
    if (batch.length > 0) payloads.push(JSON.stringify({ o: origin, f: batch }));
    if (payloads.length > 0) flush(payloads);
  };
  return {
    add(fact: Fact) {
      pending.push(fact);
      if (!timer) timer = setTimeout(run, delayMs);
    },
    /** Sends what is pending now (shutdown). */
    flushNow() {
      if (timer) clearTimeout(timer);
      run();
    },
  };
};
