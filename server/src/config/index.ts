import { defaultConfig } from './defaults';
import { pluginConfigSchema } from './schema';

export default {
  default: defaultConfig,
  validator(config: unknown) {
    const result = pluginConfigSchema.safeParse(config);
    if (!result.success) {
      const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
      throw new Error(`Invalid configuration of plugin private-messages: ${problems.join('; ')}`);
    }
  },
};
