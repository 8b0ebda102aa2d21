import { Inject, Injectable } from '@nestjs/common';
import { RESOLVED_OPTIONS } from '../jwt-revocation.constants';
import type { ResolvedOptions } from '../options/resolved-options';
import type { JwksDocument } from './jwks-document';
import { jwksDocument } from './public-jwk';

/** The JWKS document of the configured keys, built once at startup; inject it into a route of your own. */
@Injectable()
export class JwksService {
  private readonly jwks: JwksDocument;

  constructor(@Inject(RESOLVED_OPTIONS) options: ResolvedOptions) {
    this.jwks = jwksDocument(options.keyRing);
  }

  document(): JwksDocument {
    return this.jwks;
  }
}
