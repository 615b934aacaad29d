import type { Context } from 'koa';
import type { StreamResponse } from '../realtime/hub';

/**
 * Node keeps a response's head (`_header`) for as long as the response lives, as the rope of
 * every piece it was built from (sixty-odd pieces with the site's security headers: about 2 KB per
 * stream). Once sent, the same text as one flat string is enough.
 */
export const compactSentHead = (ctx: Context) => {
  const res = ctx.res as unknown as { _header?: unknown; headersSent: boolean };
  if (res.headersSent && typeof res._header === 'string') res._header = Buffer.from(res._header, 'latin1').toString('latin1');
};

/**
 * Turns this request's response into a Server-Sent Events stream, written to directly: Koa sends
 * nothing of its own (no body stream between the hub and the socket), and nothing of the request
 * is needed once it is open. The socket never times out and sends each event at once.
 */
export const openEventStream = (ctx: Context): StreamResponse => {
  const { req, res } = ctx;
  req.socket.setTimeout(0);
  req.socket.setNoDelay(true);
  req.socket.setKeepAlive(true);
  ctx.compress = false;
  ctx.status = 200;
  ctx.type = 'text/event-stream';
  ctx.set({ 'Cache-Control': 'no-cache, no-transform', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
  ctx.respond = false;
  res.writeHead(200);
  // A client that goes away resets the connection now and then: for a stream that is its normal
  // end, not an error worth a log line (Koa reports any socket error of a response).
  const onerror = ctx.onerror.bind(ctx);
  ctx.onerror = (error: Error & { code?: string }) => (error?.code === 'ECONNRESET' || error?.code === 'EPIPE' ? undefined : onerror(error));
  return {
    sink: res,
    onClose(listener) {
      res.once('close', listener);
      res.on('error', listener);
    },
    get gone() {
      return req.destroyed || res.destroyed;
    },
  };
};
