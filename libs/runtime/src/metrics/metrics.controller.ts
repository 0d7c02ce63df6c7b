import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Registry } from 'prom-client';
import { MetricsRoute } from '../http/access';

/** Prometheus scrape endpoint. */
@ApiExcludeController()
@MetricsRoute()
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(Registry) private readonly registry: Registry) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  async scrape(
    @Res({ passthrough: true })
    res: {
      setHeader(name: string, value: string): void;
    },
  ): Promise<string> {
    res.setHeader('Content-Type', this.registry.contentType);
    return this.registry.metrics();
  }
}
