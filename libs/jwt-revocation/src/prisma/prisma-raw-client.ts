/**
 * The part of a PrismaClient the stores use. Typed by shape, not by import, so the library
 * never depends on a generated client: a plain, extended (`$extends`) or transaction client fits.
 */
export interface PrismaRawClient {
  $queryRawUnsafe<T = unknown>(query: string, ...values: any[]): PromiseLike<T>;
  $executeRawUnsafe(query: string, ...values: any[]): PromiseLike<number>;
}
