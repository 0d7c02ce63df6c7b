export * from './schedule.contract';
export * from './execution.contract';
export * from './error.contract';
