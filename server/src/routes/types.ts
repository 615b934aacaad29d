import type { Core } from '@strapi/strapi';
import type controllers from '../controllers';

type Controllers = typeof controllers;

/** `controller.action` for every action of our controllers: a typo in a route's handler fails to compile. */
export type Handler = {
  [C in keyof Controllers & string]: `${C}.${keyof Controllers[C] & string}`;
}[keyof Controllers & string];

/*
 * Strapi 5.54 has no `Core.RouterInputFor` yet (later versions do); this is its equivalent for
 * our controllers.
 */
export type PluginRouter = Omit<Core.RouterInput, 'routes'> & {
  routes: (Omit<Core.RouterInput['routes'][number], 'handler'> & { handler: Handler })[];
};
