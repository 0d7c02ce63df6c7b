export * from './audit-event';
export * from './schedule-history';
