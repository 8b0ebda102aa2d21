import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { configureApp, httpAdapterFor } from './app.setup';
import { httpAdapterFromEnv, InvalidConfigError, type AppEnv } from './config';

async function bootstrap(): Promise<void> {
  // Startup errors come to the catch below (abortOnError: false); logs wait until the app is up,
  // so a bad setting prints one clear line instead of Nest's stack trace.
  const app = await NestFactory.create(AppModule, httpAdapterFor(httpAdapterFromEnv()), {
    abortOnError: false,
    bufferLogs: true,
    autoFlushLogs: false,
  });
  app.flushLogs();
  configureApp(app);
  const port = app.get<ConfigService<AppEnv, true>>(ConfigService).get('app.port', { infer: true });
  await app.listen(port);
  new Logger('Demo').log(`Listening on http://localhost:${port}`);
}

bootstrap().catch((error: Error) => {
  if (!(error instanceof InvalidConfigError)) Logger.flush();
  console.error(error instanceof InvalidConfigError ? `Invalid configuration: ${error.message}` : error.message);
  process.exit(1);
});
