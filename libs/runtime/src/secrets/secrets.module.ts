import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { SecretBox } from '@scheduleman/domain';

/** Nest token of the app's SecretBox, or null when the app runs without SECRETS_KEY (AUTH_DISABLED). */
export const SECRET_BOX = Symbol('SECRET_BOX');

@Global()
@Module({})
export class SecretsModule {
  static forRoot(box: SecretBox | null): DynamicModule {
    return {
      module: SecretsModule,
      providers: [{ provide: SECRET_BOX, useValue: box }],
      exports: [SECRET_BOX],
    };
  }
}
