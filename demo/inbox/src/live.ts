import type { PrivateMessagesClient } from '../../../client/src';
import { $ } from './dom';

type Live = {
  pollMs: number;
  /** Refetch the inbox, the count and the open thread. */
  onChange: () => Promise<unknown>;
  /** Fetches the unread count; answers whether it changed. */
  refreshCount: () => Promise<boolean>;
  renderBadge: (threads: number) => void;
  logout: () => void;
};

/**
 * Live updates: the stream when the server has one (its events say what changed, never the
 * content); polling the unread count while it has none or the stream is down. Returns the stopper.
 */
export const startLive = (pm: PrivateMessagesClient, live: Live) => {
  let poller: ReturnType<typeof setInterval> | null = null;
  const status = (text: string) => ($('#live').textContent = text);
  const poll = () => {
    if (poller) return;
    status('Updates: polling');
    poller = setInterval(async () => {
      if (await live.refreshCount().catch(() => false)) await live.onChange();
    }, live.pollMs);
  };
  const handle = pm.stream({
    onOpen: () => {
      status('Updates: live');
      if (poller) clearInterval(poller);
      poller = null;
    },
    onEvent: (e) => {
      if (e.event === 'unread-count') live.renderBadge(e.data.threads);
      else if (e.event === 'reauth') live.logout();
      else void live.onChange();
    },
    onError: () => poll(),
    maxReconnectDelayMs: 60_000,
  });
  return () => {
    handle.close();
    if (poller) clearInterval(poller);
  };
};
