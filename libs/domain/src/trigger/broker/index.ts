export * from './broker-trigger-spec';
export * from './broker-fields';
export * from './broker.trigger-definitions';
export * from './broker-message';
