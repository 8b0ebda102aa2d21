import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { configFromEnv } from './config';

async function bootstrap(): Promise<void> {
  const config = configFromEnv();
  const app = await createApp(config);
  await app.listen(config.port);
  new Logger('Demo').log(`Listening on http://localhost:${config.port}`);
}

bootstrap().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
