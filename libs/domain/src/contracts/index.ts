export * from './schedule.contract';
export * from './execution.contract';
export * from './error.contract';
export * from './pretender.contract';
export * from './api-key.contract';
export * from './signing-secret.contract';
export * from './connection.contract';
export * from './calendar.contract';
