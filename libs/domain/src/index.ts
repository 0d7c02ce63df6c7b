// The pure heart of scheduleman: no NestJS, TypeORM, pg or HTTP clients in here.
export * from './clock';
export * from './errors';
export * from './schedule/schedule-spec';
export * from './schedule/schedule-status';
export * from './schedule/misfire-policy';
export * from './execution/execution-status';
export * from './trigger/trigger-spec';
export * from './trigger/trigger-provider';
