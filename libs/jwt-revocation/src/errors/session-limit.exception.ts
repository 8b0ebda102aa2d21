import { HttpException, HttpStatus } from '@nestjs/common';

/** A login beyond `sessions.maxPerUser` with `onLimit: 'refuse'`: 409, and nothing was changed. */
export class SessionLimitException extends HttpException {
  constructor(maxPerUser: number) {
    super(
      {
        statusCode: 409,
        error: 'session_limit',
        message: `This account already has ${maxPerUser} active session${maxPerUser === 1 ? '' : 's'}, the most allowed; log out on another device first`,
      },
      HttpStatus.CONFLICT,
    );
  }
}
