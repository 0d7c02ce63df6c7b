import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';

@Module({})
class AppModule {}

async function bootstrap() {
  const app = await NestFactory.create(AppModule);
  const port = Number(process.env['PORT'] ?? 3000);
  await app.listen(port);
  Logger.log('scheduler listening on ' + port);
}

void bootstrap();
