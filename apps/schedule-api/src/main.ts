import { bootstrapApp, loadConfigOrExit } from '@scheduleman/runtime';
import { AppModule } from './app.module';
import { loadApiConfig } from './config/api.config';
import { configureApp } from './configure-app';

const config = loadConfigOrExit('schedule-api', () =>
  loadApiConfig(process.env),
);

void bootstrapApp(AppModule.forRoot(config), {
  app: 'schedule-api',
  port: config.port,
  host: config.host,
  logLevel: config.logLevel,
  nestOptions: { bodyParser: false },
  configure: (app, logger) => {
    if (config.authDisabled)
      logger.warn(
        {
          msg: 'AUTH_DISABLED=true: every request is served without an API key, as an admin of every owner. For local development only: never expose this process to a network.',
        },
        'Auth',
      );
    else if (config.adminApiKey === null)
      logger.warn(
        {
          msg: 'ADMIN_API_KEY is not set: only keys already stored work, and none can be created or revoked.',
        },
        'Auth',
      );
    configureApp(app, config);
  },
});
