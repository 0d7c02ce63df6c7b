export * from './trigger-registry';
export * from './trigger-providers.token';
export * from './triggers.module';
