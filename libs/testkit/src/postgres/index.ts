export * from './databases';
export * from './restartable-postgres';
export * from './test-database';
export * from './pgbouncer';
