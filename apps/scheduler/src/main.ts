import { bootstrapApp, loadConfigOrExit } from '@scheduleman/runtime';
import { loadSchedulerConfig } from './config/scheduler.config';
import { SchedulerModule } from './scheduler.module';

// `node dist/apps/scheduler/main.js`: one scheduler. Run as many as you like, each with
// its own PORT and SCHEDULER_ID; they coordinate only through the database.
const config = loadConfigOrExit('scheduler', () =>
  loadSchedulerConfig(process.env),
);

void bootstrapApp(SchedulerModule.forRoot(config), {
  app: 'scheduler',
  port: config.port,
  logLevel: config.logLevel,
  logFields: { schedulerId: config.schedulerId },
});
