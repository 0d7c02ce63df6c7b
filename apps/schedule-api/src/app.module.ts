import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import {
  ClockModule,
  DatabaseModule,
  HealthModule,
  HttpErrorFilter,
  MetricsModule,
  SecretsModule,
} from '@scheduleman/runtime';
import {
  TRIGGER_DEFINITIONS,
  type TriggerDefinition,
} from '@scheduleman/domain';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { CalendarsModule } from './calendars/calendars.module';
import { ConnectionsModule } from './connections/connections.module';
import { KeyRateLimiter } from './auth/rate-limiter';
import type { ApiConfig } from './config/api.config';
import { RequestValidationPipe } from './http/request-validation.pipe';
import { SchedulesModule } from './schedules/schedules.module';
import { SigningSecretsModule } from './signing-secrets/signing-secrets.module';

export const API_CONFIG = Symbol('API_CONFIG');

/**
 * The schedule API. The validation pipe and the error filter are providers (APP_PIPE,
 * APP_FILTER), not `app.useGlobal*` calls, so tests that build the module get exactly
 * the production behaviour.
 */
@Module({})
export class AppModule {
  /**
   * `triggerDefinitions`: the trigger types schedules may use (TRIGGER_DEFINITIONS);
   * tests pass others, e.g. a stand-in for a provider still being written.
   */
  static forRoot(
    config: ApiConfig,
    triggerDefinitions: readonly TriggerDefinition[] = TRIGGER_DEFINITIONS,
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ClockModule,
        DatabaseModule.forRootAsync({
          useFactory: () => ({
            url: config.databaseUrl,
            applicationName: 'schedule-api',
            poolSize: config.dbPoolSize,
            statementTimeoutMs: config.dbStatementTimeoutMs,
            readTimeoutMs: config.dbReadTimeoutMs,
            idleInTransactionTimeoutMs: config.dbIdleInTransactionTimeoutMs,
            startupRetryMs: config.dbStartupRetryMs,
            features: config.databaseFeatures,
            preparedStatements: config.dbPreparedStatements,
          }),
        }),
        HealthModule,
        MetricsModule,
        SecretsModule.forRoot(config.secretBox),
        AuthModule.forRoot(
          {
            disabled: config.authDisabled,
            adminApiKey: config.adminApiKey,
            metricsRequireKey: config.metricsRequireKey,
            keyCacheTtlMs: config.apiKeyCacheTtlMs,
            revocationListenUrl:
              config.databaseFeatures === 'portable' ||
              config.apiKeyCacheTtlMs === 0
                ? null
                : config.databaseUrl,
          },
          KeyRateLimiter.factory(config.rateLimit),
        ),
        ConnectionsModule.forRoot(config.webhookNetworkPolicy),
        CalendarsModule,
        SchedulesModule.forRoot(
          { networkPolicy: config.webhookNetworkPolicy },
          triggerDefinitions,
          config.quotas,
        ),
        SigningSecretsModule,
        AuditModule,
      ],
      providers: [
        { provide: API_CONFIG, useValue: config },
        { provide: APP_PIPE, useClass: RequestValidationPipe },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
      ],
    };
  }
}
