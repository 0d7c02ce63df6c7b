// The database: TypeORM DataSource options, the migrations, the table row types and
// the scheduler's SQL. Apps import this; the pure folders of libs/domain never do.
export * from './data-source';
export * from './migrate';
export * from './migrations';
export * from './rows';
export * from './notify';
export * from './claims.sql';
export * from './schedule-upkeep.sql';
