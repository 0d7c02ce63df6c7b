import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ExecutionStatus } from '../../execution/execution-status';

/**
 * A row of `executions`: one per occurrence of a schedule (unique on schedule and
 * scheduled time), carrying its lease while a scheduler holds it and its outcome after.
 */
@Entity({ name: 'executions' })
export class ExecutionEntity {
  /** Deterministic (see executionIdFor): the same for every retry and duplicate of the occurrence. */
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid', { name: 'schedule_id' })
  scheduleId: string;

  @Column('timestamptz', { name: 'scheduled_at' })
  scheduledAt: Date;

  @Column('text')
  status: ExecutionStatus;

  @Column('int')
  attempts: number;

  @Column('int', { name: 'max_attempts' })
  maxAttempts: number;

  /** When the next attempt is due: the scheduled time, or a retry time. */
  @Column('timestamptz', { name: 'due_at' })
  dueAt: Date;

  @Column('text', { name: 'lease_owner', nullable: true })
  leaseOwner: string | null;

  @Column('timestamptz', { name: 'lease_expires_at', nullable: true })
  leaseExpiresAt: Date | null;

  /** Fencing token: bumped on every claim, checked by every write that follows one. */
  @Column('int', { name: 'lease_version' })
  leaseVersion: number;

  @Column('text', { name: 'scheduler_id', nullable: true })
  schedulerId: string | null;

  /** When the first attempt was made (lateness = firedAt - scheduledAt). */
  @Column('timestamptz', { name: 'fired_at', nullable: true })
  firedAt: Date | null;

  @Column('timestamptz', { name: 'finished_at', nullable: true })
  finishedAt: Date | null;

  @Column('int', { name: 'response_status', nullable: true })
  responseStatus: number | null;

  @Column('text', { nullable: true })
  error: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;
}
