export * from './databases';
export * from './restartable-postgres';
