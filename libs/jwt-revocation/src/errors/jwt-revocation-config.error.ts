/** Thrown at startup when the module options cannot work; the message says how to fix them. */
export class JwtRevocationConfigError extends Error {
  constructor(problem: string, fix: string) {
    super(`JwtRevocationModule: ${problem}. ${fix}`);
    this.name = 'JwtRevocationConfigError';
  }
}
