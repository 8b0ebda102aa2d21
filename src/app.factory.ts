import { ValidationPipe, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module';
import type { AppConfig } from './config';

/** Builds the demo app on Express or Fastify; main.ts and the e2e tests share it. */
export async function createApp(config: AppConfig, options: { logger?: false } = {}): Promise<INestApplication> {
  const adapter = config.httpAdapter === 'fastify' ? new FastifyAdapter({ trustProxy: false }) : new ExpressAdapter();
  const app = await NestFactory.create(AppModule.forRoot(config), adapter, { logger: options.logger });
  configureApp(app);
  return app;
}

export function configureApp(app: INestApplication): void {
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.enableShutdownHooks();
  // The OpenAPI document (JSON) at /docs-json; @Auth() routes carry the bearer scheme and their 401.
  const document = () => SwaggerModule.createDocument(app, new DocumentBuilder().setTitle('nestjs-jwt-revocation demo').addBearerAuth().build());
  SwaggerModule.setup('docs', app, document, { ui: false, jsonDocumentUrl: 'docs-json' });
}
