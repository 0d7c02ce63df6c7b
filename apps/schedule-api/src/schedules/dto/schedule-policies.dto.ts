import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  DEFAULT_DST_GAP_POLICY,
  DEFAULT_DST_OVERLAP_POLICY,
  DEFAULT_OVERLAP_POLICY,
  DST_GAP_POLICIES,
  DST_OVERLAP_POLICIES,
  MAX_CALENDAR_IDS,
  MAX_SCHEDULE_EXCLUSIONS,
  OVERLAP_POLICIES,
  type SchedulePoliciesRequest,
} from '@scheduleman/domain';
import type { SchemaObject } from '@nestjs/swagger';
import { Allow } from 'class-validator';
import type { Unparsed } from './create-schedule.dto';

/** The policy fields of a request (all of SchedulePoliciesRequest). */
export type SchedulePolicyField = keyof SchedulePoliciesRequest;

/** OpenAPI schema of a list of exclusions (exclusions.ts). */
export const EXCLUSIONS_SCHEMA = {
  type: 'array' as const,
  items: {
    oneOf: <SchemaObject[]>[
      {
        type: 'object',
        required: ['date'],
        properties: { date: { type: 'string', format: 'date' } },
        additionalProperties: false,
      },
      {
        type: 'object',
        required: ['from', 'to'],
        properties: {
          from: { type: 'string', format: 'date' },
          to: { type: 'string', format: 'date' },
        },
        additionalProperties: false,
      },
      {
        type: 'object',
        required: ['daysOfWeek'],
        properties: {
          daysOfWeek: {
            type: 'array',
            items: { type: 'integer', minimum: 0, maximum: 6 },
            description: '0 = Sunday … 6 = Saturday',
          },
          between: {
            type: 'array',
            items: { type: 'string', pattern: '^\\d\\d:\\d\\d$' },
            minItems: 2,
            maxItems: 2,
            description:
              '["HH:MM", "HH:MM"], start included, end excluded; an end before the start runs into the next day',
          },
        },
        additionalProperties: false,
      },
    ],
  },
  example: [
    { date: '2026-12-25' },
    { from: '2026-12-24', to: '2026-12-26' },
    { daysOfWeek: [0, 6] },
    { daysOfWeek: [5], between: ['22:00', '06:00'] },
  ],
};

/**
 * The time-policy fields (docs/time.md), shared by create, PATCH and preview. They
 * arrive unchecked (`@Allow`) and are validated by parseSchedulePolicies in the service,
 * one set of rules with field paths (`exclusions[2].date`) for API and tests alike.
 */
export class SchedulePoliciesDto
  implements Unparsed<SchedulePoliciesRequest, SchedulePolicyField>
{
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'PT10M',
    description:
      'ISO-8601 duration, PT10S to P7D; null (default) = none. An occurrence missed by more than this (measured from when it was due to fire) is recorded skipped with reason `catch_up_window`; within it the misfire policy decides.',
  })
  @Allow()
  catchUpWindow?: unknown;

  @ApiPropertyOptional({
    ...EXCLUSIONS_SCHEMA,
    maxItems: MAX_SCHEDULE_EXCLUSIONS,
    description:
      'Periods on the wall clock of the schedule’s zone in which it does not fire (recorded skipped, reason `exclusion`). Default [].',
  })
  @Allow()
  exclusions?: unknown;

  @ApiPropertyOptional({
    type: [String],
    maxItems: MAX_CALENDAR_IDS,
    example: ['0b9f5c1e-7f65-4f0e-9a0c-3c1d2e4f5a6b'],
    description:
      'Calendars (POST /calendars) of the schedule’s owner whose exclusions apply too. Default [].',
  })
  @Allow()
  calendarIds?: unknown;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'PT5M',
    description:
      'ISO-8601 duration, PT1S to PT1H; null (default) = none. Each occurrence fires at t + offset, the offset in [0, window] fixed by a hash of the schedule id and t.',
  })
  @Allow()
  flexibleWindow?: unknown;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    example: '2030-01-02T08:00:00Z',
    description:
      'The schedule is paused until this instant (with offset, in the future, at most 366 days ahead), then resumes by itself. Setting it pauses an active schedule; null leaves a paused schedule paused without an end. The automatic resume is not yet done by the scheduler.',
  })
  @Allow()
  pausedUntil?: unknown;

  @ApiPropertyOptional({
    enum: OVERLAP_POLICIES,
    default: DEFAULT_OVERLAP_POLICY,
    description:
      'While the previous execution has not finished: allow (fire anyway), skip (record skipped, reason `overlap_policy`) or buffer_one (fire once it finishes; at most one waits).',
  })
  @Allow()
  overlapPolicy?: unknown;

  @ApiPropertyOptional({
    enum: DST_GAP_POLICIES,
    default: DEFAULT_DST_GAP_POLICY,
    description:
      'A fixed wall time that a DST change skips (e.g. 02:30 when clocks go 02:00 → 03:00): shift (default) fires it at the end of the gap; skip records it skipped, reason `dst_policy`. Interval expressions are not affected.',
  })
  @Allow()
  dstGapPolicy?: unknown;

  @ApiPropertyOptional({
    enum: DST_OVERLAP_POLICIES,
    default: DEFAULT_DST_OVERLAP_POLICY,
    description:
      'A fixed wall time that a DST change repeats (01:30 twice when clocks go back): first (default), second, or twice. Interval expressions are not affected.',
  })
  @Allow()
  dstOverlapPolicy?: unknown;
}
