/**
 * Key names. All share one hash tag, so in a Redis Cluster they live in one slot and every script
 * may touch any of them.
 */
export class RedisKeys {
  private readonly tag: string;

  constructor(prefix: string) {
    this.tag = `{${prefix}}`;
  }

  /** Holds the data set's epoch (seconds); gone means Redis lost its data. */
  get marker(): string {
    return `${this.tag}:epoch`;
  }

  version(userId: string): string {
    return `${this.tag}:v:${userId}`;
  }

  session(sessionId: string): string {
    return `${this.tag}:s:${sessionId}`;
  }

  userSessions(userId: string): string {
    return `${this.tag}:u:${userId}`;
  }

  familySessions(family: string): string {
    return `${this.tag}:f:${family}`;
  }

  /** Every session by the time it ended or will end, for purge. */
  get endings(): string {
    return `${this.tag}:ends`;
  }

  /** The prefix scripts use to build per-id keys themselves (session ids come from stored sets). */
  get sessionPrefix(): string {
    return `${this.tag}:s:`;
  }

  get userPrefix(): string {
    return `${this.tag}:u:`;
  }

  get familyPrefix(): string {
    return `${this.tag}:f:`;
  }
}
