import type { Context } from 'koa';
import type { StreamResponse } from '../realtime/hub';

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
