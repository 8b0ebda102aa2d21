import { Module } from '@nestjs/common';
import { WebController } from './web.controller';

/** The sessions page (`GET /`), for cookie mode in a browser. */
@Module({ controllers: [WebController] })
export class WebModule {}
