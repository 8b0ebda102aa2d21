import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';
import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';

/** zxcvbn's score (0-4) a password needs: 3 = "safely unguessable", about 10^8 guesses or more. */
export const MIN_PASSWORD_SCORE = 3;
/**
 * The estimate looks at the first 64 characters: past that the score cannot fall, and the
 * estimator's time grows fast with length (a 256-character random string takes over a second).
 */
const ESTIMATED_LENGTH = 64;

let estimator: ZxcvbnFactory | undefined;

/** Offline: zxcvbn-ts with its common-password dictionaries and keyboard graphs, built once. */
function passwordEstimator(): ZxcvbnFactory {
  estimator ??= new ZxcvbnFactory({ dictionary: { ...dictionary }, graphs: adjacencyGraphs, maxLength: ESTIMATED_LENGTH });
  return estimator;
}

/** zxcvbn score of `password`; `related` (an email, say) counts as something an attacker knows. */
export function passwordScore(password: string, related: string[] = []): number {
  return passwordEstimator().check(password, related.filter(Boolean)).score;
}

/**
 * Refuses common passwords and close variants, repeats, sequences, keyboard walks and, with
 * `relatedTo`, the value of that other field (the email): 400 with a message saying why.
 */
export function IsHardToGuess(options: { relatedTo?: string } & ValidationOptions = {}) {
  const { relatedTo, ...validationOptions } = options;
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isHardToGuess',
      target: object.constructor,
      propertyName,
      options: {
        message: `${propertyName} is too easy to guess: common passwords and their variants, repeats, sequences and keyboard patterns are refused; use a passphrase of several unrelated words`,
        ...validationOptions,
      },
      validator: {
        validate(value: unknown, args: ValidationArguments): boolean {
          if (typeof value !== 'string') return false;
          const related = relatedTo ? (args.object as Record<string, unknown>)[relatedTo] : undefined;
          const inputs = typeof related === 'string' ? [related, ...related.split(/[@.+_-]/)] : [];
          return passwordScore(value, inputs) >= MIN_PASSWORD_SCORE;
        },
      },
    });
}
