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
  logLevel: config.logLevel,
  nestOptions: { bodyParser: false },
  configure: (app) => configureApp(app, config),
});
