import { Brackets, In, IsNull, type DataSource, type Repository } from 'typeorm';
import type { RevokeReason, SessionRecord } from '../sessions/session-record';
import type { SessionRotation, SessionStore } from '../sessions/session-store.interface';
import { JwtSessionEntity } from './jwt-session.entity';

/** Sessions in the `jwt_sessions` table; rotation is one conditional UPDATE. */
export class TypeOrmSessionStore implements SessionStore {
  private readonly sessions: Repository<JwtSessionEntity>;

  constructor(private readonly dataSource: DataSource) {
    this.sessions = dataSource.getRepository(JwtSessionEntity);
  }

  /** Whether `dataSource` holds this store's `jwt_sessions`. */
  usesDataSource(dataSource: DataSource): boolean {
    return dataSource === this.dataSource;
  }

  async create(session: SessionRecord): Promise<void> {
    await this.sessions.insert(session);
  }

  async find(sessionId: string): Promise<SessionRecord | null> {
    return this.sessions.findOneBy({ id: sessionId });
  }

  async rotate(sessionId: string, expectedHash: string, rotation: SessionRotation): Promise<boolean> {
    const result = await this.sessions.update({ id: sessionId, refreshHash: expectedHash, revokedAt: IsNull() }, rotation);
    return (result.affected ?? 0) === 1;
  }

  async revoke(userId: string, sessionIds: string[] | 'all', reason: RevokeReason, at: number): Promise<string[]> {
    if (sessionIds !== 'all' && sessionIds.length === 0) return [];
    const where = { userId, revokedAt: IsNull(), ...(sessionIds === 'all' ? {} : { id: In(sessionIds) }) };
    return this.revokeWhere(where, reason, at);
  }

  async revokeFamily(family: string, reason: RevokeReason, at: number): Promise<string[]> {
    return this.revokeWhere({ family, revokedAt: IsNull() }, reason, at);
  }

  async listActive(userId: string, now: number): Promise<SessionRecord[]> {
    return this.sessions
      .createQueryBuilder('s')
      .where('s.userId = :userId AND s.revokedAt IS NULL AND s.expiresAt > :now AND s.idleExpiresAt > :now', { userId, now })
      .orderBy('s.createdAt', 'DESC')
      .getMany();
  }

  async purge(endedBefore: number): Promise<number> {
    const result = await this.sessions
      .createQueryBuilder()
      .delete()
      .where(
        new Brackets((qb) =>
          qb
            .where('revoked_at < :endedBefore', { endedBefore })
            .orWhere('expires_at < :endedBefore', { endedBefore })
            .orWhere('idle_expires_at < :endedBefore', { endedBefore }),
        ),
      )
      .execute();
    return result.affected ?? 0;
  }

  private async revokeWhere(where: Record<string, unknown>, reason: RevokeReason, at: number): Promise<string[]> {
    const live = await this.sessions.find({ select: { id: true }, where });
    // One conditional UPDATE per row: only the call whose UPDATE changed the row reports it, so
    // concurrent revocations of one session report (and announce) it once. No RETURNING on MySQL.
    const revoked = await Promise.all(
      live.map(async ({ id }) => {
        const result = await this.sessions.update({ id, revokedAt: IsNull() }, { revokedAt: at, revokeReason: reason });
        return (result.affected ?? 0) === 1 ? id : undefined;
      }),
    );
    return revoked.filter((id): id is string => id !== undefined);
  }
}
