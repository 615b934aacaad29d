import { isPrivateMessagesError } from '../../../client/src';

/* Small DOM helpers: the demo has no framework. */

export const $ = <T extends HTMLElement = HTMLElement>(selector: string) => {
  const found = document.querySelector<T>(selector);
  if (!found) throw new Error(`${selector} is missing`);
  return found;
};

export const show = (selector: string, visible: boolean) => {
  $(selector).hidden = !visible;
};

/** An element with attributes and children; `html` sets sanitized HTML the server produced. */
export const el = (tag: string, attrs: Record<string, string> = {}, children: (Node | string)[] = []) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    // Message bodies are sanitized by the server (every format drops scripts and handlers).
    if (key === 'html') node.innerHTML = value;
    else node.setAttribute(key, value);
  }
  node.append(...children.filter((c) => c !== ''));
  return node;
};

export const when = <E extends Event = Event>(selector: string, type: string, handler: (e: E) => unknown) =>
  $(selector).addEventListener(type, (e) => void handler(e as E));

/** What to tell the user about a failed request: the server's message and, for refusals, each reason. */
export const errorText = (error: unknown) => {
  if (!isPrivateMessagesError(error)) return error instanceof Error ? error.message : String(error);
  if (error.refused.length > 0) return error.refused.map((r) => r.message).join('; ');
  if (error.status === 429) return `Too many messages: try again in ${error.retryAfter ?? 'a few'} seconds.`;
  return error.message;
};
