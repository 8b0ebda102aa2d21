import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '../decorators/public.decorator';
import type { JwksDocument } from './jwks-document';
import { JwksService } from './jwks.service';

/**
 * Serves the public keys at `GET /.well-known/jwks.json`, open to anyone (`@Public()`), cached by
 * clients for 5 minutes: publish a new key at least that long before it starts signing. Add it to
 * your module's `controllers`.
 */
@Public()
@Controller('.well-known')
export class JwksController {
  constructor(private readonly jwks: JwksService) {}

  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  document(): JwksDocument {
    return this.jwks.document();
  }
}
