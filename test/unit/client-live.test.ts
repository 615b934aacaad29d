import { createLive, type LiveEvent } from '../../client/src/react/live';
import type { PrivateMessagesClient, StreamOptions } from '../../client/src';
import { waitFor } from '../helpers/wait';

/*
 * The React bindings' shared live connection, with a stand-in client: the stream while it is up;
 * while it is down, the unread count polled and a change of it heard as `resync`; a stream that
 * stops for good is reported, one closed on purpose is not.
 */

const fakeClient = () => {
  let options: StreamOptions | null = null;
  let counts = { threads: 0, messages: 0 };
  const closed = jest.fn();
  const client = {
    stream: (o: StreamOptions) => ((options = o), { close: () => (closed(), o.onClose?.()) }),
    unreadCount: async () => ({ data: counts }),
  } as unknown as PrivateMessagesClient;
  return { client, stream: () => options!, setCounts: (c: typeof counts) => (counts = c), closed };
};


it('hands over stream events, polls while the stream is down, and tells a count change as resync', async () => {
  const fake = fakeClient();
  const stopped = jest.fn();
  const live = createLive(fake.client, { pollMs: 10, onStopped: stopped });
  const events: LiveEvent[] = [];
  live.subscribe((e) => events.push(e));
  live.start();
  expect(live.status).toBe('connecting');
  fake.stream().onOpen?.();
  expect(live.status).toBe('live');
  fake.stream().onEvent({ event: 'unread-count', id: '1', data: { threads: 0, messages: 0 } });
  expect(events.map((e) => e.event)).toEqual(['unread-count']);

  fake.stream().onError?.(new Error('down'), { willReconnect: true, delayMs: 1000 });
  expect(live.status).toBe('polling');
  fake.setCounts({ threads: 1, messages: 1 });
  expect(await waitFor(() => events.some((e) => e.event === 'resync'), 1000, 5)).toBe(true);
  expect(events.find((e) => e.event === 'unread-count' && e.data.messages === 1)).toBeDefined();

  fake.stream().onOpen?.();
  expect(live.status).toBe('live');
  live.stop();
  expect(fake.closed).toHaveBeenCalled();
  expect(stopped).not.toHaveBeenCalled();
  expect(live.status).toBe('stopped');
});

it('reports a stream that stopped by itself (a credential that could not be renewed)', () => {
  const fake = fakeClient();
  const stopped = jest.fn();
  const live = createLive(fake.client, { onStopped: stopped });
  live.start();
  fake.stream().onClose?.();
  expect(stopped).toHaveBeenCalledTimes(1);
  expect(live.status).toBe('stopped');
});

it('polls instead when the stream is refused for another reason than the credential (403)', async () => {
  const fake = fakeClient();
  const stopped = jest.fn();
  const live = createLive(fake.client, { pollMs: 10, onStopped: stopped });
  live.start();
  fake.stream().onError?.(Object.assign(new Error('Forbidden'), { status: 403 }), { willReconnect: false, delayMs: 0 });
  fake.stream().onClose?.();
  expect(stopped).not.toHaveBeenCalled();
  expect(live.status).toBe('polling');
  live.stop();
});
