import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from 'nestjs-jwt-revocation';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The page allows its own script, style and requests only: an injected inline script or a
 * script from elsewhere does not run, so it cannot read the access token held in memory.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Files read once at startup from static/ beside this file (nest-cli copies them next to the build). */
const read = (file: string) => readFileSync(join(__dirname, 'static', file), 'utf8');

/** The sessions page at `/`: plain HTML and JavaScript, nothing fetched from elsewhere. */
@ApiExcludeController()
@Public()
@Controller()
export class WebController {
  private readonly files = { html: read('index.html'), script: read('app.js'), style: read('app.css') };

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', CONTENT_SECURITY_POLICY)
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Referrer-Policy', 'no-referrer')
  @Header('Cache-Control', 'no-cache')
  page(): string {
    return this.files.html;
  }

  @Get('app.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Cache-Control', 'no-cache')
  script(): string {
    return this.files.script;
  }

  @Get('app.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Cache-Control', 'no-cache')
  style(): string {
    return this.files.style;
  }
}
