import { ValidationPipe, type INestApplication } from '@nestjs/common';
import type { AbstractHttpAdapter } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { AppConfig } from './config';
import { BodyShapePipe } from './http/body-shape.pipe';
import { HttpErrorFilter } from './http/http-error.filter';

export function httpAdapterFor(name: AppConfig['httpAdapter']): AbstractHttpAdapter {
  return name === 'fastify' ? new FastifyAdapter({ trustProxy: false }) : new ExpressAdapter();
}

/** What every instance of the demo gets on top of AppModule; main.ts and the e2e tests share it. */
export function configureApp(app: INestApplication): void {
  app.useGlobalPipes(new BodyShapePipe(), new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.useGlobalFilters(new HttpErrorFilter(app.getHttpAdapter()));
  app.enableShutdownHooks();
  // The OpenAPI document (JSON) at /docs-json; @Auth() routes carry the bearer scheme and their 401.
  const document = () => SwaggerModule.createDocument(app, new DocumentBuilder().setTitle('nestjs-jwt-revocation demo').addBearerAuth().build());
  SwaggerModule.setup('docs', app, document, { ui: false, jsonDocumentUrl: 'docs-json' });
}
