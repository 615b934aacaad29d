import type { Core } from '@strapi/strapi';

/** Records the payloads of one eventHub event while `fn` runs. */
export const captureEvents = async <T>(strapi: Core.Strapi, event: string, fn: () => Promise<T>) => {
  const seen: any[] = [];
  const off = strapi.eventHub.on(event, async (payload: unknown) => {
    seen.push(payload);
  });
  try {
    return { result: await fn(), seen };
  } finally {
    off();
  }
};
