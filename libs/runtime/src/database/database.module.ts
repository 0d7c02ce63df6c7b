import {
  type DynamicModule,
  Logger,
  Module,
  type ModuleMetadata,
} from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  buildDataSourceOptions,
  type DatabaseFeatures,
  type DatabaseOptions,
  DEFAULT_DATABASE_FEATURES,
  runMigrations,
} from '@scheduleman/domain/persistence';
import { DataSource } from 'typeorm';
import {
  connectWithRetry,
  DEFAULT_STARTUP_RETRY_MS,
} from './connect-with-retry';
import { setPreparedStatements } from './prepared-statements';

export interface DatabaseModuleOptions extends DatabaseOptions {
  /** How long to keep retrying the first connection, in milliseconds. Default 60 000. */
  startupRetryMs?: number;
  /** `DATABASE_FEATURES`: what the server must offer beyond plain SQL. Default 'full'. */
  features?: DatabaseFeatures;
  /** `DB_PREPARED_STATEMENTS`: hot statements as named prepared statements (prepared-statements.ts). Default true. */
  preparedStatements?: boolean;
}

/** The features each DataSource made by DatabaseModule was configured with. */
const FEATURES = new WeakMap<DataSource, DatabaseFeatures>();

/**
 * The DATABASE_FEATURES of a DataSource made by DatabaseModule ('full' for any other),
 * for the code that would use LISTEN/NOTIFY (docs/scaling.md).
 */
export function databaseFeaturesOf(dataSource: DataSource): DatabaseFeatures {
  return FEATURES.get(dataSource) ?? DEFAULT_DATABASE_FEATURES;
}

export interface DatabaseModuleAsyncOptions {
  imports?: ModuleMetadata['imports'];
  inject?: unknown[];
  useFactory: (
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Nest factories take injected values of any type
    ...args: any[]
  ) => DatabaseModuleOptions | Promise<DatabaseModuleOptions>;
}

const logger = new Logger('Database');

/**
 * TypeORM on the shared data-source options, with start-up migrations.
 *
 * Nest resolves the DataSource provider before any controller exists, so by the time
 * `app.listen()` runs the schema is current: migrations run under a lock (an advisory
 * lock, or a row lock with the portable features: see runMigrations) and many processes
 * may start at once; they run on a short-lived connection of their own without the read
 * timeout, since a long migration statement sends nothing while it works. Re-exports TypeOrmModule,
 * so `@InjectDataSource()` and `TypeOrmModule.forFeature([...])` work in the app.
 */
@Module({})
export class DatabaseModule {
  static forRootAsync(options: DatabaseModuleAsyncOptions): DynamicModule {
    // The budget is known only once useFactory ran; dataSourceFactory runs right after it.
    let startupRetryMs = DEFAULT_STARTUP_RETRY_MS;
    let migrationOptions: DatabaseOptions | undefined;
    let features = DEFAULT_DATABASE_FEATURES;
    let preparedStatements = true;
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          imports: options.imports,
          inject: options.inject,
          useFactory: async (...args: unknown[]) => {
            const resolved = await options.useFactory(...args);
            startupRetryMs =
              resolved.startupRetryMs ?? DEFAULT_STARTUP_RETRY_MS;
            migrationOptions = {
              url: resolved.url,
              applicationName: `${resolved.applicationName}:migrate`,
              poolSize: 1,
              readTimeoutMs: 0,
            };
            features = resolved.features ?? DEFAULT_DATABASE_FEATURES;
            preparedStatements = resolved.preparedStatements ?? true;
            // Our own bounded retry replaces TypeOrmModule's, which logs a stack per attempt.
            return {
              ...buildDataSourceOptions({
                ...resolved,
                onSilentConnection: (error) => {
                  logger.warn({ msg: error.message });
                },
              }),
              toRetry: () => false,
            };
          },
          dataSourceFactory: async (dataSourceOptions) => {
            if (!dataSourceOptions || !migrationOptions)
              throw new Error('DatabaseModule: no data source options');
            const dataSource = await connectWithRetry(
              dataSourceOptions,
              startupRetryMs,
            );
            FEATURES.set(dataSource, features);
            setPreparedStatements(dataSource, preparedStatements);
            const applied = await migrate(migrationOptions, features);
            logger.log({
              msg: 'schema up to date',
              appliedMigrations: applied,
              databaseFeatures: features,
            });
            return dataSource;
          },
        }),
      ],
      exports: [TypeOrmModule],
    };
  }
}

/** Applies pending migrations on a data source of their own, closed afterwards. */
async function migrate(
  options: DatabaseOptions,
  features: DatabaseFeatures,
): Promise<string[]> {
  const dataSource = new DataSource(buildDataSourceOptions(options));
  await dataSource.initialize();
  try {
    return await runMigrations(dataSource, features);
  } finally {
    await dataSource.destroy();
  }
}
