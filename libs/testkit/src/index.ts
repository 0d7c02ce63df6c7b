export * from './child-tracker';
export * from './free-port';
export * from './postgres';
export * from './wait-for';
export * from './workspace';
