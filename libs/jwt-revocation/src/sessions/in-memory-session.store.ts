import type { RevokeReason, SessionRecord } from './session-record';
import type { SessionRotation, SessionStore } from './session-store.interface';

/** Sessions kept in this process only: for tests and single-process demos, lost on restart. */
export class InMemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, SessionRecord>();

  async create(session: SessionRecord): Promise<void> {
    this.sessions.set(session.id, { ...session });
  }

  async find(sessionId: string): Promise<SessionRecord | null> {
    const session = this.sessions.get(sessionId);
    return session ? { ...session } : null;
  }

  async rotate(sessionId: string, expectedHash: string, rotation: SessionRotation): Promise<boolean> {
    const session = this.sessions.get(sessionId);
    if (!session || session.revokedAt !== null || session.refreshHash !== expectedHash) return false;
    Object.assign(session, rotation);
    return true;
  }

  async revoke(userId: string, sessionIds: string[] | 'all', reason: RevokeReason, at: number): Promise<string[]> {
    return this.revokeWhere((s) => s.userId === userId && (sessionIds === 'all' || sessionIds.includes(s.id)), reason, at);
  }

  async revokeFamily(family: string, reason: RevokeReason, at: number): Promise<string[]> {
    return this.revokeWhere((s) => s.family === family, reason, at);
  }

  async listActive(userId: string, now: number): Promise<SessionRecord[]> {
    return [...this.sessions.values()]
      .filter((s) => s.userId === userId && s.revokedAt === null && s.expiresAt > now && s.idleExpiresAt > now)
      .sort((a, b) => b.createdAt - a.createdAt)
      .map((s) => ({ ...s }));
  }

  async purge(endedBefore: number): Promise<number> {
    let purged = 0;
    for (const [id, s] of this.sessions) {
      if (Math.min(s.revokedAt ?? Infinity, s.expiresAt, s.idleExpiresAt) < endedBefore) {
        this.sessions.delete(id);
        purged++;
      }
    }
    return purged;
  }

  get size(): number {
    return this.sessions.size;
  }

  private revokeWhere(match: (s: SessionRecord) => boolean, reason: RevokeReason, at: number): string[] {
    const revoked: string[] = [];
    for (const s of this.sessions.values()) {
      if (s.revokedAt === null && match(s)) {
        s.revokedAt = at;
        s.revokeReason = reason;
        revoked.push(s.id);
      }
    }
    return revoked;
  }
}
