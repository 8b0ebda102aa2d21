import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';

/** What body parsers (Express's body-parser, Fastify's) throw for a request they refuse. */
interface ParserError {
  status?: number;
  statusCode?: number;
  type?: string;
  code?: string;
}

/** Fixed answers for parser refusals, so nothing of the request is echoed back or logged. */
const PARSER_MESSAGES: Record<number, string> = {
  400: 'The request body could not be read',
  413: 'The request body is too large or has too many parts',
  415: 'Unsupported content type',
};

/**
 * Every error the demo answers, in one place:
 * - HttpExceptions as Nest answers them, plus the headers they carry (`Retry-After` on a 429,
 *   `WWW-Authenticate` on a refresh 401) when thrown outside the guard;
 * - a client error from the body parser (too large, too many parameters, nested too deeply, bad
 *   media type) as a plain 4xx, not logged: a client cannot flood the log with stack traces;
 * - anything else as a bare 500, logged with its type and stack but without its message, which
 *   may quote what the client sent (a driver error quoting the email, say).
 */
@Catch()
export class HttpErrorFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  override catch(exception: unknown, host: ArgumentsHost): void {
    if (exception instanceof HttpException) {
      const headers = (exception as HttpException & { headers?: unknown }).headers;
      if (isStringRecord(headers)) {
        const response = host.switchToHttp().getResponse();
        for (const [name, value] of Object.entries(headers)) this.httpAdapter().setHeader(response, name, value);
      }
      return super.catch(exception, host);
    }
    const status = clientErrorStatus(exception);
    if (status) return this.answer(host, status, PARSER_MESSAGES[status] ?? 'Bad request');
    const request = host.switchToHttp().getRequest<{ method?: string; url?: string }>();
    const error = exception instanceof Error ? exception : new Error('non-error thrown');
    const { code: rawCode } = error as { code?: unknown };
    const code = typeof rawCode === 'string' ? ` (${rawCode})` : '';
    const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line)).join('\n');
    this.logger.error(`Unhandled ${error.name}${code} on ${request.method} ${request.url?.split('?')[0]}`, frames);
    this.answer(host, HttpStatus.INTERNAL_SERVER_ERROR, 'Internal server error');
  }

  private answer(host: ArgumentsHost, statusCode: number, message: string): void {
    const response = host.switchToHttp().getResponse();
    const adapter = this.httpAdapter();
    if (adapter.isHeadersSent(response)) adapter.end(response);
    else adapter.reply(response, { statusCode, message }, statusCode);
  }

  private httpAdapter() {
    return this.applicationRef ?? this.httpAdapterHost!.httpAdapter;
  }
}

/** The 4xx status of a parser's refusal, or undefined for any other error. */
function clientErrorStatus(exception: unknown): number | undefined {
  if (typeof exception !== 'object' || exception === null) return undefined;
  const { status, statusCode } = exception as ParserError;
  const value = statusCode ?? status;
  return typeof value === 'number' && value >= 400 && value < 500 ? value : undefined;
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && Object.values(value).every((v) => typeof v === 'string');
}
