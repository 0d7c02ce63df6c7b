import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { MisfirePolicy } from '../../schedule/misfire-policy';
import type { ScheduleSpec, ScheduleType } from '../../schedule/schedule-spec';
import type { ScheduleStatus } from '../../schedule/schedule-status';
import type { TriggerSpec } from '../../trigger/trigger-spec';

/** A row of `schedules`. The schema itself is owned by the migrations (no synchronize). */
@Entity({ name: 'schedules' })
export class ScheduleEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('text', { nullable: true })
  name: string | null;

  @Column('text', { nullable: true })
  owner: string | null;

  @Column('jsonb', { nullable: true })
  metadata: Record<string, unknown> | null;

  @Column('text', { name: 'schedule_type' })
  scheduleType: ScheduleType;

  @Column('jsonb')
  schedule: ScheduleSpec;

  @Column('text', { name: 'trigger_type' })
  triggerType: string;

  @Column('jsonb')
  trigger: TriggerSpec;

  @Column('text', { name: 'misfire_policy' })
  misfirePolicy: MisfirePolicy;

  @Column('int', { name: 'max_attempts' })
  maxAttempts: number;

  @Column('text')
  status: ScheduleStatus;

  @Column('timestamptz', { name: 'next_run_at', nullable: true })
  nextRunAt: Date | null;

  @Column('int')
  version: number;

  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt: Date;
}
