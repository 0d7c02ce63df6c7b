import { Controller, Get } from '@nestjs/common';

/**
 * The pretender has no database, so readiness and liveness are the same thing: the
 * process answers HTTP. (The runtime's HealthModule checks a database and does not fit.)
 */
@Controller('health')
export class HealthController {
  @Get()
  check() {
    return { status: 'ok' };
  }

  @Get('ready')
  ready() {
    return { status: 'ok' };
  }

  @Get('live')
  live() {
    return { status: 'ok' };
  }
}
