import {
  Body,
  Controller,
  Get,
  HttpCode,
  type INestApplication,
  Module,
  Post,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';

export const FRAMEWORK_PLATFORMS = ['express', 'fastify'] as const;
export type FrameworkPlatform = (typeof FRAMEWORK_PLATFORMS)[number];

/**
 * The framework ceiling's server: what Nest and the HTTP platform cost per request,
 * without the API's validation, authentication or database. One POST route shaped like
 * POST /schedules (a JSON body in, a JSON object with an id out, 201), and GET /health.
 */
@Controller()
class CeilingController {
  @Post('schedules')
  @HttpCode(201)
  create(@Body() body: Record<string, unknown>): Record<string, unknown> {
    return { id: randomUUID(), ...body };
  }

  @Get('health')
  health(): { status: string } {
    return { status: 'ok' };
  }
}

@Module({ controllers: [CeilingController] })
class CeilingModule {}

/** `main.js framework --platform=express|fastify --port=N`: runs until SIGTERM. */
export async function startFrameworkServer(
  platform: FrameworkPlatform,
  port: number,
): Promise<INestApplication> {
  const app = await NestFactory.create(
    CeilingModule,
    platform === 'fastify' ? new FastifyAdapter() : new ExpressAdapter(),
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- Nest declares its options as a class; a literal is how they are passed
    { logger: false },
  );
  await app.listen(port, '127.0.0.1');
  return app;
}
