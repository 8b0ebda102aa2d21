import { ValidationPipe, type INestApplication } from '@nestjs/common';
import type { AbstractHttpAdapter } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { AppConfig } from './config';

export function httpAdapterFor(name: AppConfig['httpAdapter']): AbstractHttpAdapter {
  return name === 'fastify' ? new FastifyAdapter({ trustProxy: false }) : new ExpressAdapter();
}

/** What every instance of the demo gets on top of AppModule; main.ts and the e2e tests share it. */
export function configureApp(app: INestApplication): void {
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.enableShutdownHooks();
  // The OpenAPI document (JSON) at /docs-json; @Auth() routes carry the bearer scheme and their 401.
  const document = () => SwaggerModule.createDocument(app, new DocumentBuilder().setTitle('nestjs-jwt-revocation demo').addBearerAuth().build());
  SwaggerModule.setup('docs', app, document, { ui: false, jsonDocumentUrl: 'docs-json' });
}
