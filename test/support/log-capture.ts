import type { LoggerService } from '@nestjs/common';
import { inspect } from 'node:util';

/** Keeps every message and every optional parameter (errors with their stack) as text. */
export class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  log = (...args: unknown[]) => this.capture('log', args);
  error = (...args: unknown[]) => this.capture('error', args);
  warn = (...args: unknown[]) => this.capture('warn', args);
  debug = (...args: unknown[]) => this.capture('debug', args);
  verbose = (...args: unknown[]) => this.capture('verbose', args);
  fatal = (...args: unknown[]) => this.capture('fatal', args);

  private capture(level: string, args: unknown[]): void {
    this.lines.push(`${level}: ${args.map(asText).join(' | ')}`);
  }
}

export function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return `${value.stack ?? ''} ${inspect(value, { depth: 5, showHidden: true })}`;
  return inspect(value, { depth: 5 });
}

/** Records process.stdout / stderr writes and console calls (swallowed while recording). */
export function captureProcessOutput(): { lines: string[]; restore(): void } {
  const lines: string[] = [];
  const restores: Array<() => void> = [];
  for (const stream of [process.stdout, process.stderr]) {
    const spy = jest.spyOn(stream, 'write').mockImplementation(((chunk: unknown) => {
      lines.push(Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk));
      return true;
    }) as typeof stream.write);
    restores.push(() => spy.mockRestore());
  }
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    const spy = jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push(args.map(asText).join(' '));
    });
    restores.push(() => spy.mockRestore());
  }
  return { lines, restore: () => restores.forEach((restore) => restore()) };
}
