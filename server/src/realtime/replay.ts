import type { SequencedEvent } from './sse';

/**
 * The events an instance produced for one user, numbered in that user's own sequence, kept for
 * Last-Event-ID replay: the last `size` of them. `floor` is the sequence number at and below which events may be missing (the buffer
 * began after it, dropped older entries, or was reset after a gap of the bus): a client whose
 * last id is at or above it gets exactly what followed; anything older gets `resync`.
 */
export class ReplayBuffer {
  private events: SequencedEvent[] = [];

  constructor(
    private readonly size: number,
    public floor: number
  ) {}

  push(event: SequencedEvent) {
    if (this.size === 0) {
      this.floor = event.seq;
      return;
    }
    this.events.push(event);
    if (this.events.length > this.size) this.floor = this.events.shift()!.seq;
  }

  /** Forgets everything up to `seq`: events before it may have been missed. */
  reset(seq: number) {
    this.events = [];
    this.floor = seq;
  }

  /** What followed `lastSeq`, or null when some of it may be missing. */
  after(lastSeq: number): SequencedEvent[] | null {
    if (lastSeq < this.floor) return null;
    return this.events.filter((e) => e.seq > lastSeq);
  }
}
