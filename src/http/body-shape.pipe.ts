import { BadRequestException, Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';

/** Deeper than any DTO of the demo (they are flat), far below what would exhaust the stack. */
const MAX_DEPTH = 8;
/** Values (objects, arrays, strings, numbers…) in one body. */
const MAX_VALUES = 10_000;
/** Keys that name an object's prototype: no DTO has them, and merging them anywhere is prototype pollution. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Refuses, before validation, a body no DTO can hold: nested deeper than MAX_DEPTH (class-transformer
 * would recurse until the stack overflows), too many values, text that is not well-formed Unicode
 * (a lone surrogate) or that holds a NUL character (PostgreSQL cannot store one), `__proto__`,
 * `constructor` or `prototype` keys. Iterative, so
 * the check itself cannot overflow.
 */
@Injectable()
export class BodyShapePipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'body') return value;
    const problem = shapeProblem(value);
    if (problem) throw new BadRequestException(problem);
    return value;
  }
}

function shapeProblem(body: unknown): string | undefined {
  const pending: Array<{ value: unknown; depth: number }> = [{ value: body, depth: 0 }];
  let seen = 0;
  while (pending.length > 0) {
    const { value, depth } = pending.pop()!;
    if (++seen > MAX_VALUES) return `The request body holds more than ${MAX_VALUES} values`;
    if (typeof value === 'string') {
      if (!isCleanText(value)) return 'The request body holds text that is not well-formed Unicode or contains a NUL character';
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_DEPTH) return `The request body is nested deeper than ${MAX_DEPTH} levels`;
    for (const [key, child] of Object.entries(value)) {
      if (!isCleanText(key)) return 'The request body holds a key that is not well-formed Unicode or contains a NUL character';
      if (PROTOTYPE_KEYS.has(key)) return `The request body holds the reserved key "${key}"`;
      pending.push({ value: child, depth: depth + 1 });
    }
  }
  return undefined;
}

/** A lone (unpaired) UTF-16 surrogate, which no UTF-8 encoder, database or hash can take as it is. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function isCleanText(text: string): boolean {
  return !LONE_SURROGATE.test(text) && !text.includes('\u0000');
}
