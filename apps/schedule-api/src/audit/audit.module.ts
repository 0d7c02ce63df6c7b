import { Module } from '@nestjs/common';
import { AuditEventsController } from './audit-events.controller';
import { AuditEventsRepository } from './audit-events.repository';
import { AuditEventsService } from './audit-events.service';

/** `GET /audit-events`. Events are written by the statements of the changes (audit-events.sql.ts). */
@Module({
  controllers: [AuditEventsController],
  providers: [AuditEventsService, AuditEventsRepository],
})
export class AuditModule {}
