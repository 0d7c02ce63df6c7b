import { Global, Module } from '@nestjs/common';
import { CalendarUsage } from './calendar-usage';
import { CalendarsController } from './calendars.controller';
import { CalendarsRepository } from './calendars.repository';
import { CalendarsService } from './calendars.service';

/**
 * `/calendars`. Global so that SchedulesService reaches CalendarUsage, which checks
 * (and share-locks) the calendars a schedule names.
 */
@Global()
@Module({
  controllers: [CalendarsController],
  providers: [CalendarsService, CalendarsRepository, CalendarUsage],
  exports: [CalendarUsage],
})
export class CalendarsModule {}
