import type { Core } from '@strapi/strapi';
import type services from '../services';

export const PLUGIN_ID = 'private-messages';

type Services = typeof services;
export type ServiceName = keyof Services;
export type ServiceOf<N extends ServiceName> = ReturnType<Services[N]>;

export const getService = <N extends ServiceName>(name: N, s: Core.Strapi = strapi): ServiceOf<N> =>
  s.plugin(PLUGIN_ID).service(name) as ServiceOf<N>;
