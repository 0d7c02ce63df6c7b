import {
  type DynamicModule,
  Global,
  Module,
  type Provider,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKeysService } from './api-keys.service';
import { AUTH_SETTINGS, type AuthSettings } from './auth-settings';
import { AuthGuard } from './auth.guard';
import { CLOCK } from '@scheduleman/runtime';
import {
  RATE_LIMITER,
  type RateLimiter,
  type RateLimiterFactory,
  UNLIMITED,
} from './rate-limiter';

/** API keys, the guard of every route, and the rate limiter it asks. */
@Global()
@Module({})
export class AuthModule {
  /** `rateLimiter`: a limiter, or a factory that gets the app's CLOCK (KeyRateLimiter.factory). */
  static forRoot(
    settings: AuthSettings,
    rateLimiter: RateLimiter | RateLimiterFactory = UNLIMITED,
  ): DynamicModule {
    const providers: Provider[] = [
      ApiKeysRepository,
      ApiKeysService,
      { provide: AUTH_SETTINGS, useValue: settings },
      typeof rateLimiter === 'function'
        ? { provide: RATE_LIMITER, useFactory: rateLimiter, inject: [CLOCK] }
        : { provide: RATE_LIMITER, useValue: rateLimiter },
      { provide: APP_GUARD, useClass: AuthGuard },
    ];
    return {
      module: AuthModule,
      controllers: [ApiKeysController],
      providers,
      exports: [ApiKeysService, AUTH_SETTINGS],
    };
  }
}
