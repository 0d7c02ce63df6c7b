// NestJS plumbing shared by every scheduleman app (see README.md).
export * from './config/env-reader';
export * from './config/load-config';
export * from './logging/json-logger';
export * from './clock/clock.module';
export * from './database/connect-with-retry';
export * from './database/database-errors';
export * from './database/database.module';
export * from './database/database-timeouts';
export * from './health/health.module';
export * from './health/readiness-registry';
export * from './metrics/metrics.module';
export * from './http/http-errors';
export * from './http/access';
export * from './http/http-error.filter';
export * from './bootstrap/bootstrap-app';
export * from './secrets/secrets-config';
export * from './secrets/secrets.module';
