/*
 * The demo inbox's service worker, served at /messages/sw.js (scope /messages/): it shows a
 * notification for each web push the plugin sends, and opens the thread when it is clicked.
 * A push is `{type: "newThread" | "reply", threadId}`, plus `author`, `subject` and `excerpt` when
 * the user chose `pushContent: "preview"` (docs/api.md, Web push delivery). Plain JavaScript:
 * scripts/build-demo.js copies it next to the page.
 */

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

/** What the notification says: who wrote and what when the push carries it, else only that something came. */
const notificationOf = (data) => {
  const fallback = data.type === 'reply' ? 'New reply' : 'New message';
  if (!data.author) return { title: fallback, body: 'Open your messages to read it.' };
  return { title: `${data.author}: ${data.subject || fallback}`, body: data.excerpt || '' };
};

self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    // Not JSON: not one of ours; still shown (browsers expect a notification for each push).
  }
  const { title, body } = notificationOf(data);
  event.waitUntil(self.registration.showNotification(title, { body, tag: data.threadId || 'private-messages', data }));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const threadId = event.notification.data && event.notification.data.threadId;
  const url = new URL(threadId ? `./?thread=${encodeURIComponent(threadId)}` : './', self.registration.scope);
  event.waitUntil(self.clients.openWindow(url.href));
});
