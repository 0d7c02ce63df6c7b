export * from './api-key';
export * from './principal';
export * from './scopes';
export * from './rate-limit';
export * from './api-key-cache';
