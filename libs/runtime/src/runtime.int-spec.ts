import {
  Body,
  Controller,
  Get,
  Injectable,
  Module,
  type OnModuleInit,
  Post,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { ValidationError } from '@scheduleman/domain';
import { createTestDatabase, type TestDatabase } from '@scheduleman/testkit';
import { connectWithRetry } from './database/connect-with-retry';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { ReadinessRegistry } from './health/readiness-registry';
import { HttpErrorFilter } from './http/http-error.filter';
import { MetricsModule } from './metrics/metrics.module';
import {
  buildDataSourceOptions,
  MIGRATIONS,
} from '@scheduleman/domain/persistence';

@Controller('echo')
class EchoController {
  @Post()
  echo(@Body() body: unknown) {
    return body;
  }

  @Get('domain-error')
  fail(): never {
    throw new ValidationError('thing.part', 'is wrong');
  }

  @Get('crash')
  crash(): never {
    throw new Error('secret internal detail');
  }
}

/** Lets a test flip readiness the way the scheduler's claim-loop probe would. */
@Injectable()
class FlagProbe implements OnModuleInit {
  ready = true;
  constructor(private readonly registry: ReadinessRegistry) {}
  onModuleInit() {
    this.registry.register('flag', () => ({
      ready: this.ready,
      details: { flag: this.ready },
    }));
  }
}

describe('runtime plumbing in a real Nest app', () => {
  // Both stay unset when beforeAll fails before creating them.
  let db: TestDatabase | undefined;
  let app: NestExpressApplication | undefined;
  let base: string;
  let probe: FlagProbe;

  beforeAll(async () => {
    const database = await createTestDatabase('runtime');
    db = database;
    @Module({
      imports: [
        DatabaseModule.forRootAsync({
          useFactory: () => ({
            url: database.url,
            applicationName: 'runtime-test',
          }),
        }),
        HealthModule,
        MetricsModule,
      ],
      controllers: [EchoController],
      providers: [
        FlagProbe,
        { provide: APP_FILTER, useClass: HttpErrorFilter },
      ],
    })
    class TestAppModule {}
    const moduleRef = await Test.createTestingModule({
      imports: [TestAppModule],
    }).compile();
    const nest = moduleRef.createNestApplication<NestExpressApplication>(
      // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- Nest declares its options as a class and takes them as an object literal
      { bodyParser: false, logger: false },
    );
    app = nest;
    nest.useBodyParser('json', { limit: 1024 });
    await nest.listen(0, '127.0.0.1');
    base = await nest.getUrl();
    probe = nest.get(FlagProbe);
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('ran the migrations before serving', async () => {
    if (!db) throw new Error('beforeAll did not create the database');
    const ds = await db.dataSource();
    const rows: { name: string }[] = await ds.query(
      'select name from migrations',
    );
    expect(rows.map((r) => r.name).sort()).toEqual(
      MIGRATIONS.map((m) => new m().name).sort(),
    );
  });

  it('reports ready with the database and registered probes, and 503 when a probe is not ready', async () => {
    const ok = await fetch(`${base}/health`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      status: 'ok',
      info: { database: { status: 'up' }, flag: { status: 'up', flag: true } },
    });
    probe.ready = false;
    try {
      const ready = await fetch(`${base}/health/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({
        status: 'error',
        error: { flag: { status: 'down' } },
      });
      expect((await fetch(`${base}/health/live`)).status).toBe(200);
    } finally {
      probe.ready = true;
    }
  });

  it('exposes Prometheus metrics including request durations by route pattern', async () => {
    await fetch(`${base}/health/live`);
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/health\/live",status_code="200"\} [1-9]/,
    );
  });

  it('answers an unknown route with a JSON 404 naming the path', async () => {
    const res = await fetch(`${base}/nowhere`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({
      statusCode: 404,
      code: 'ROUTE_NOT_FOUND',
      errors: [{ field: 'path' }],
    });
  });

  // The API's own input policy (JSON-only bodies, the validation pipe) lives in
  // apps/schedule-api/src/http/ and is tested through the API (bad-input.int-spec.ts).
  it('maps domain validation errors to 400 with field names', async () => {
    const domain = await fetch(`${base}/echo/domain-error`);
    expect(domain.status).toBe(400);
    expect(await domain.json()).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      code: 'VALIDATION_FAILED',
      message: 'thing.part: is wrong',
      errors: [{ field: 'thing.part', message: 'is wrong' }],
    });
  });

  it('maps body-parser errors: malformed JSON (400) and oversized bodies (413)', async () => {
    const malformed = await fetch(`${base}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"word": ',
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({
      code: 'MALFORMED_JSON',
      errors: [{ field: 'body' }],
    });
    const big = await fetch(`${base}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ word: 'x'.repeat(2000) }),
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      errors: [{ field: 'body' }],
    });
  });

  it('hides the details of an unexpected error behind a generic 500', async () => {
    const res = await fetch(`${base}/echo/crash`);
    expect(res.status).toBe(500);
    const body = await res.json();
    expect(body).toMatchObject({
      statusCode: 500,
      code: 'INTERNAL_ERROR',
      message: 'Internal server error',
    });
    expect(JSON.stringify(body)).not.toContain('secret');
  });
});

describe('connectWithRetry', () => {
  it('gives up with the connection error once its time budget is spent', async () => {
    // Port 1 on localhost refuses connections at once.
    const options = buildDataSourceOptions({
      url: 'postgres://nobody@127.0.0.1:1/none',
      applicationName: 'retry-test',
    });
    await expect(connectWithRetry(options, 300)).rejects.toThrow(
      /ECONNREFUSED|connect/,
    );
  });
});
