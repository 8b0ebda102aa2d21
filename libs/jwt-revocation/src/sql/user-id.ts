/** What the user table's primary key holds; an id the column cannot hold names no user. */
export type UserIdType = 'integer' | 'bigint' | 'uuid' | 'string';

const DECIMAL_INTEGER = /^(0|-?[1-9]\d{0,18})$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The value to bind for `userId`, or `undefined` when no user can have that id: the query is
 * then never sent, so a malformed id is "no such user", never a database error (503).
 */
export function userIdParameter(type: UserIdType, userId: string): string | number | undefined {
  switch (type) {
    case 'integer':
      return DECIMAL_INTEGER.test(userId) && Math.abs(Number(userId)) <= 2 ** 31 - 1 ? Number(userId) : undefined;
    case 'bigint':
      return DECIMAL_INTEGER.test(userId) && BigInt(userId) <= 2n ** 63n - 1n && BigInt(userId) >= -(2n ** 63n) ? userId : undefined;
    case 'uuid':
      return UUID.test(userId) ? userId : undefined;
    case 'string':
      return userId.length > 0 && userId.length <= 255 ? userId : undefined;
  }
}
