import { Inject, Injectable } from '@nestjs/common';
import { RESOLVED_OPTIONS } from '../jwt-revocation.constants';
import type { ResolvedOptions } from '../options/resolved-options';
import { RevokedBefore } from '../revocation/revoked-before';
import { callStore } from '../errors/store-call';
import type { SessionRecord } from './session-record';
import { sessionsOf } from './sessions-of';

/** A user's live sessions: not ended, not expired, not started before `logoutEveryone()`. */
@Injectable()
export class LiveSessions {
  constructor(
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedOptions,
    private readonly revokedBefore: RevokedBefore,
  ) {}

  async of(userId: string, now: number): Promise<SessionRecord[]> {
    const store = sessionsOf(this.options).store;
    const cutoffMs = (await this.revokedBefore.current(false)) * 1000;
    const live = await callStore(() => store.listActive(userId, now), this.options);
    return live.filter((s) => s.createdAt >= cutoffMs);
  }
}
