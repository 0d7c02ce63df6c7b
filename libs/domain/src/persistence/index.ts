// TypeORM entities, migrations and the scheduler's SQL. Apps import this; the pure
// folders of libs/domain never do.
export * from './data-source';
export * from './migrate';
export * from './migrations';
export * from './entities/schedule.entity';
export * from './entities/execution.entity';
export * from './notify';
export * from './claims.sql';
