import { createContext, createElement, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { PrivateMessagesClient } from '../client';
import { PrivateMessagesError } from '../http';
import { createLive, type Live, type LiveOptions, type LiveStatus } from './live';

type Shared = { client: PrivateMessagesClient; live: Live };

const PrivateMessagesContext = createContext<Shared | null>(null);

export type PrivateMessagesProviderProps = LiveOptions & {
  /** From createPrivateMessagesClient; a new client (another user) starts a new stream. */
  client: PrivateMessagesClient;
  children?: ReactNode;
};

/**
 * Gives the hooks below it the client and one shared real-time connection (the stream, or polling
 * the unread count while there is none), which keeps every list, thread and count up to date.
 */
export const PrivateMessagesProvider = ({ client, children, stream, pollMs, onStopped }: PrivateMessagesProviderProps) => {
  const live = useMemo(() => createLive(client, { stream, pollMs, onStopped: () => onStopped?.() }), [client, stream, pollMs]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => {
    live.start();
    return () => live.stop();
  }, [live]);
  const value = useMemo(() => ({ client, live }), [client, live]);
  return createElement(PrivateMessagesContext.Provider, { value }, children);
};

export const useShared = (): Shared => {
  const shared = useContext(PrivateMessagesContext);
  if (!shared) throw new Error('Private messages hooks need a <PrivateMessagesProvider client={...}> above them');
  return shared;
};

/** The client of the nearest PrivateMessagesProvider, for the calls the hooks do not cover. */
export const usePrivateMessages = () => useShared().client;

/** Where live updates come from right now: `live` (the stream), `polling`, `connecting` or `stopped`. */
export const useLiveStatus = (): LiveStatus => {
  const { live } = useShared();
  const [status, setStatus] = useState(live.status);
  useEffect(() => {
    setStatus(live.status);
    return live.onStatus(setStatus);
  }, [live]);
  return status;
};

/** Every failure as a PrivateMessagesError: a network failure is status 0, `NetworkError`. */
export const asError = (error: unknown): PrivateMessagesError =>
  error instanceof PrivateMessagesError
    ? (error as PrivateMessagesError)
    : Object.assign(new PrivateMessagesError({ status: 0, name: 'NetworkError', message: error instanceof Error ? error.message : String(error) }), { cause: error });
