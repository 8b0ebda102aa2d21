import type { TokenVersionStore } from './token-version-store.interface';

/** Versions kept in this process only: for tests and single-process demos, lost on restart. */
export class InMemoryTokenVersionStore implements TokenVersionStore {
  private readonly versions = new Map<string, number>();
  private revokedBefore = 0;

  /** Registers a user (version 0 unless given) so tokens issued for it are accepted. */
  addUser(userId: string | number, version = 0): void {
    this.versions.set(String(userId), version);
  }

  removeUser(userId: string | number): void {
    this.versions.delete(String(userId));
  }

  async getVersion(userId: string): Promise<number | null> {
    return this.versions.get(userId) ?? null;
  }

  async getRevokedBefore(): Promise<number> {
    return this.revokedBefore;
  }

  async setRevokedBefore(at: number): Promise<void> {
    this.revokedBefore = Math.max(this.revokedBefore, at);
  }

  async incrementVersion(userId: string): Promise<boolean> {
    const current = this.versions.get(userId);
    if (current === undefined) return false;
    this.versions.set(userId, current + 1);
    return true;
  }
}
