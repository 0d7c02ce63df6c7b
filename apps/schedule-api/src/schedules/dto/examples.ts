import type { CreateScheduleRequest, ErrorResponse } from '@scheduleman/domain';

/** Request examples shown in Swagger UI, one per schedule type. */
export const CREATE_SCHEDULE_EXAMPLES = {
  cron: {
    summary: 'Every 5 seconds (cron with seconds), Berlin time',
    value: {
      name: 'heartbeat',
      owner: 'team-platform',
      metadata: { ticket: 'OPS-42' },
      schedule: {
        type: 'cron',
        expression: '*/5 * * * * *',
        timezone: 'Europe/Berlin',
      },
      trigger: {
        type: 'webhook',
        url: 'http://localhost:3100/tasks',
        method: 'POST',
        headers: {
          'X-Team': 'platform',
          Authorization: 'Bearer worker-token',
          'X-Api-Token': 'tok-123',
        },
        secretHeaders: ['X-Api-Token'],
      },
    } satisfies CreateScheduleRequest,
  },
  at: {
    summary: 'Once, at a given instant',
    value: {
      name: 'new-year mail',
      schedule: { type: 'at', at: '2030-01-01T00:00:00+01:00' },
      trigger: {
        type: 'webhook',
        url: 'https://example.com/hooks/new-year',
        body: { campaign: 'ny-2030' },
      },
      misfirePolicy: 'skip',
    } satisfies CreateScheduleRequest,
  },
  delay: {
    summary: 'Once, 90 seconds from now',
    value: {
      name: 'reminder',
      schedule: { type: 'delay', delay: 'PT90S' },
      trigger: { type: 'webhook', url: 'http://localhost:3100/tasks' },
      maxAttempts: 3,
    } satisfies CreateScheduleRequest,
  },
};

export const ERROR_EXAMPLE: ErrorResponse = {
  statusCode: 400,
  error: 'Bad Request',
  code: 'VALIDATION_FAILED',
  message: 'schedule.expression: minute field "61" is out of range 0-59',
  errors: [
    {
      field: 'schedule.expression',
      message: 'minute field "61" is out of range 0-59',
    },
  ],
};
