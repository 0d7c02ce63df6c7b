// The pure heart of scheduleman: no NestJS, TypeORM, pg or HTTP clients in here.
export * from './clock';
export * from './errors';
export * from './schedule/schedule-spec';
export * from './schedule/schedule-status';
export * from './schedule/misfire-policy';
export * from './schedule/dst-policy';
export * from './schedule/parse-schedule-spec';
export * from './schedule/next-occurrence';
export * from './schedule/occurrence-notes';
export * from './schedule/describe-schedule';
export * from './schedule/plan-occurrences';
export * from './schedule/plan-policies';
export * from './schedule/schedule-rate';
export * from './schedule/schedule-quotas';
export * from './schedule/schedule-batch';
export * from './schedule/time-ordered-id';
// Time policies (issue 13): one file per policy.
export * from './schedule/catch-up-window';
export * from './schedule/exclusions';
export * from './schedule/flexible-window';
export * from './schedule/overlap-policy';
export * from './schedule/pause-until';
export * from './schedule/schedule-policies';
export * from './schedule/policy-notes';
export { describeDuration } from './schedule/policy-duration';
export * from './schedule/schedule-health';
export {
  parseCronExpression,
  MAX_CRON_EXPRESSION_LENGTH,
} from './schedule/cron-expression';
export { parseTimeZone } from './schedule/time-zone';
export { parseIsoInstant, parseIsoDuration } from './schedule/iso-time';
export * from './execution/execution-status';
export * from './execution/backoff';
export * from './execution/fire-capacity';
export * from './execution/retry-policy';
export * from './execution/execution-id';
export * from './execution/skip-reason';
export * from './execution/result-token';
export * from './execution/task-result';
export * from './execution/result-timeout';
export * from './trigger/trigger-spec';
export * from './trigger/trigger-provider';
export * from './trigger/trigger-validation';
export * from './trigger/webhook.trigger-definition';
export * from './trigger/broker';
export * from './trigger/webhook-signature';
export * from './trigger/template';
export * from './trigger/template-fields';
export * from './trigger/cloudevents';
export * from './trigger/network-policy';
export * from './contracts';
export * from './auth';
export * from './secrets/secret-box';
export * from './connection';
export * from './trigger/secret-headers';
export * from './trigger/trigger-secrets';
export * from './audit';
