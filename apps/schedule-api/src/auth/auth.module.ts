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
import { RATE_LIMITER, type RateLimiter, UNLIMITED } from './rate-limiter';

/** API keys, the guard of every route, and the rate limiter it asks. */
@Global()
@Module({})
export class AuthModule {
  static forRoot(
    settings: AuthSettings,
    rateLimiter: RateLimiter = UNLIMITED,
  ): DynamicModule {
    const providers: Provider[] = [
      ApiKeysRepository,
      ApiKeysService,
      { provide: AUTH_SETTINGS, useValue: settings },
      { provide: RATE_LIMITER, useValue: rateLimiter },
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
