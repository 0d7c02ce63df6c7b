import { Controller, Get } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { PublicRoute } from '../http/access';
import { ReadinessRegistry } from './readiness-registry';

/** How long the readiness `select 1` may take before the database counts as down. */
const DATABASE_PING_TIMEOUT_MS = 1_500;

/**
 * `/health` and `/health/ready`: readiness (200 when the database answers and every
 * registered probe is ready, otherwise 503). `/health/live`: liveness, 200 while the
 * process can answer at all, so an orchestrator restarts only a wedged process and
 * never one whose database is briefly away.
 */
@ApiExcludeController()
@PublicRoute()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly registry: ReadinessRegistry,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.readiness();
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.readiness();
  }

  @Get('live')
  live() {
    return { status: 'ok' };
  }

  private readiness() {
    return this.health.check([
      () =>
        this.database.pingCheck('database', {
          timeout: DATABASE_PING_TIMEOUT_MS,
        }),
      ...this.registry.entries().map(([name, probe]) => async () => {
        const indicator = this.indicators.check(name);
        try {
          const result = await probe();
          return result.ready
            ? indicator.up(result.details)
            : indicator.down(result.details);
        } catch (error) {
          return indicator.down({
            message: error instanceof Error ? error.message : String(error),
          });
        }
      }),
    ]);
  }
}
