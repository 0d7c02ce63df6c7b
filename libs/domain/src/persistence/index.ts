// The database: TypeORM DataSource options, the migrations, the table row types and
// the scheduler's SQL. Apps import this; the pure folders of libs/domain never do.
export * from './data-source';
export * from './database-url';
export * from './failover-client';
export * from './database-features';
export * from './migrate';
export * from './migrations';
export * from './rows';
export * from './notify';
export * from './reply-watchdog';
export * from './claims.sql';
export * from './schedule-upkeep.sql';
