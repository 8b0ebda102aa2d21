import { JwtRevocationConfigError } from '../errors/jwt-revocation-config.error';

export function positiveInteger(value: number | undefined, fallback: number, name: string, unit: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new JwtRevocationConfigError(`${name} must be a positive integer (${unit}), got ${String(value)}`, `Set ${name} to a whole number above 0.`);
  }
  return value;
}

export function nonNegativeInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new JwtRevocationConfigError(`${name} must be an integer >= 0, got ${String(value)}`, `Set ${name} to 0 or more.`);
  }
  return value;
}

export function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) {
    throw new JwtRevocationConfigError(`${name} must be a non-empty string`, `Set ${name} to a string or leave it out.`);
  }
  return value;
}

export function booleanOption(value: unknown, fallback: boolean, name: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new JwtRevocationConfigError(`${name} must be true or false, got ${String(value)}`, `Set ${name} to true or false, or leave it out.`);
  return value;
}
