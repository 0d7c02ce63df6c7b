import { bootstrapApp, loadConfigOrExit } from '@scheduleman/runtime';
import { AppModule } from './app.module';
import { loadPretenderConfig } from './config/pretender.config';
import { configurePretender } from './configure-pretender';

const config = loadConfigOrExit('task-pretender', () =>
  loadPretenderConfig(process.env),
);

void bootstrapApp(AppModule.forRoot(config), {
  app: 'task-pretender',
  port: config.port,
  logLevel: config.logLevel,
  // Webhook bodies are read by the receiver itself; no Nest route takes a body.
  nestOptions: { bodyParser: false },
  configure: (app) => configurePretender(app),
});
