import { Module } from '@nestjs/common';
import { SigningSecretsController } from './signing-secrets.controller';
import { SigningSecretsRepository } from './signing-secrets.repository';
import { SigningSecretsService } from './signing-secrets.service';

/** `/signing-secrets`; the box that seals them comes from SecretsModule (global). */
@Module({
  controllers: [SigningSecretsController],
  providers: [SigningSecretsService, SigningSecretsRepository],
})
export class SigningSecretsModule {}
