import { useEffect, useState } from 'react';
import { usePrivateMessages } from '../../../client/src/react';
import { errorText } from './parts';

/*
 * Web push in the demo: the service worker (sw.js, next to this page, so its scope is /messages/)
 * is registered on sign-in and shows what the server pushes. "Turn on notifications" asks for the
 * browser's permission, subscribes with the server's VAPID key (GET /push/key), hands the
 * subscription to the server (POST /push/subscriptions) and asks for a push on every message
 * (`push: every`; `pushContent` stays the user's choice). Browsers offer push on https: pages and
 * on localhost only.
 */

type State = 'unsupported' | 'off' | 'working' | 'on';

const supported = () => 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;

/** The server's key (base64url) as the bytes PushManager.subscribe takes. */
const keyBytes = (base64url: string) => {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (base64url.length % 4)) % 4);
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
};

/** How long the browser's push service has to answer a subscription (offline, some never do). */
const SUBSCRIBE_TIMEOUT_MS = 20_000;

const withinTimeout = <T,>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer`)), ms))]);

export const Notifications = ({ onNotice }: { onNotice: (text: string) => void }) => {
  const pm = usePrivateMessages();
  const [state, setState] = useState<State>(supported() ? 'off' : 'unsupported');

  useEffect(() => {
    if (!supported()) return;
    navigator.serviceWorker.register('./sw.js').then(
      async (registration) => {
        if (Notification.permission === 'granted' && (await registration.pushManager.getSubscription())) setState('on');
      },
      (error) => {
        setState('unsupported');
        onNotice(`Notifications unavailable: ${errorText(error)}`);
      }
    );
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  const turnOn = async () => {
    setState('working');
    try {
      if ((await Notification.requestPermission()) !== 'granted') throw new Error('this site may not show notifications');
      const registration = await navigator.serviceWorker.ready;
      const { data } = await pm.push.key();
      const subscription =
        (await registration.pushManager.getSubscription()) ??
        (await withinTimeout(
          registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(data.publicKey) }),
          SUBSCRIBE_TIMEOUT_MS,
          'the browser’s push service'
        ));
      const { endpoint, keys } = subscription.toJSON();
      await pm.push.subscribe({ endpoint: endpoint!, keys: { p256dh: keys!.p256dh, auth: keys!.auth } });
      await pm.preferences.update({ push: 'every' });
      setState('on');
      onNotice('Notifications on');
    } catch (error) {
      setState('off');
      onNotice(`Notifications unavailable: ${errorText(error)}`);
    }
  };

  const turnOff = async () => {
    setState('working');
    try {
      const subscription = await (await navigator.serviceWorker.ready).pushManager.getSubscription();
      if (subscription) {
        await pm.push.unsubscribe(subscription.endpoint);
        await subscription.unsubscribe();
      }
      setState('off');
      onNotice('Notifications off');
    } catch (error) {
      setState('on');
      onNotice(errorText(error));
    }
  };

  if (state === 'unsupported') return null;
  return state === 'on' ? (
    <button id="notifications" type="button" onClick={() => void turnOff()}>
      Turn off notifications
    </button>
  ) : (
    <button id="notifications" type="button" disabled={state === 'working'} onClick={() => void turnOn()}>
      Turn on notifications
    </button>
  );
};
