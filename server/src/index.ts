import register from './register';
import bootstrap from './bootstrap';
import destroy from './destroy';
import config from './config';
import contentTypes from './content-types';
import controllers from './controllers';
import routes from './routes';
import services from './services';
import middlewares from './middlewares';
import drupalImport from './import/service';

export default {
  register,
  bootstrap,
  destroy,
  config,
  contentTypes,
  controllers,
  routes,
  // The importer's service beside the others: it calls them, none of them imports it.
  services: { ...services, 'drupal-import': drupalImport },
  middlewares,
};
