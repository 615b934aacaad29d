/** The part of the `web-push` package (no bundled types) the plugin uses. */
declare module 'web-push' {
  type Subscription = { endpoint: string; keys: { p256dh: string; auth: string } };
  type Options = {
    vapidDetails: { subject: string; publicKey: string; privateKey: string };
    TTL?: number;
    contentEncoding?: 'aes128gcm' | 'aesgcm';
    timeout?: number;
    urgency?: 'very-low' | 'low' | 'normal' | 'high';
  };
  const webPush: {
    generateVAPIDKeys(): { publicKey: string; privateKey: string };
    sendNotification(subscription: Subscription, payload?: string | Buffer | null, options?: Options): Promise<{ statusCode: number; body: string }>;
  };
  export default webPush;
}
