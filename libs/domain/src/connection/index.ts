export * from './connection-type';
export * from './connection-url';
export * from './connection-input';
export * from './trigger-connection';
