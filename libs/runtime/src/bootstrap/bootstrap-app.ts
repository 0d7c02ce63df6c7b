import type {
  DynamicModule,
  NestApplicationOptions,
  Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { JsonLogger, type LogLevel } from '../logging/json-logger';

export interface BootstrapOptions {
  /** App name, added to every log line as `app`. */
  app: string;
  /** TCP port to listen on. */
  port: number;
  /** Host to bind; all interfaces by default. */
  host?: string;
  logLevel: LogLevel;
  /** Extra fields on every log line, e.g. `{ schedulerId }`. */
  logFields?: Record<string, unknown>;
  /** Passed to NestFactory.create, e.g. `{ bodyParser: false }`. */
  nestOptions?: Pick<NestApplicationOptions, 'bodyParser'>;
  /** Pipes, filters, Swagger, … applied after creation and before listening. */
  configure?: (
    app: NestExpressApplication,
    logger: JsonLogger,
  ) => void | Promise<void>;
}

/**
 * The body of every main.ts: JSON logs, shutdown hooks, listen, log the URL. Any error
 * during start-up (database never reachable, port taken) is logged as one JSON line and
 * ends the process with exit code 1.
 *
 * The logger is handed to NestFactory.create rather than buffered (`bufferLogs`) and set
 * later with `useLogger`: it needs nothing from DI, and buffering would hide the
 * database retry lines until the database answered, which is exactly when they matter.
 */
export async function bootstrapApp(
  module: Type | DynamicModule,
  options: BootstrapOptions,
): Promise<NestExpressApplication> {
  const logger = new JsonLogger({
    level: options.logLevel,
    base: { app: options.app, ...options.logFields },
  });
  try {
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- Nest declares its options as a class and takes them as an object literal
    const app = await NestFactory.create<NestExpressApplication>(module, {
      ...options.nestOptions,
      logger,
      abortOnError: false,
    });
    // SIGTERM/SIGINT run every onModuleDestroy/onApplicationShutdown hook (release leases,
    // close pools) before the process exits. useProcessExit: exit 0 after a clean shutdown
    // (by default Nest re-raises the signal, and the process then dies "killed by SIGTERM").
    app.enableShutdownHooks([], { useProcessExit: true });
    // No framework advertisement in every response.
    app.disable('x-powered-by');
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () =>
        logger.log({ msg: `${signal} received, shutting down` }, 'Bootstrap'),
      );
    }
    await options.configure?.(app, logger);
    await app.listen(options.port, options.host ?? '0.0.0.0');
    logger.log(
      {
        msg: `${options.app} listening`,
        url: `http://localhost:${options.port}`,
        port: options.port,
      },
      'Bootstrap',
    );
    return app;
  } catch (error) {
    logger.fatal(
      error instanceof Error ? error : { msg: String(error) },
      'Bootstrap',
    );
    process.exit(1);
  }
}
