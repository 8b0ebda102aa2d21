import type { RedisOptions } from 'ioredis';

/** How long the broadcaster's Redis connections wait: to connect, and for any one command (a publish). */
export const REDIS_TIMEOUTS = Object.freeze({ connectMs: 3000, commandMs: 2000 });

/**
 * ioredis options for REDIS_URL with bounded waits: a silent (black-holed) Redis fails each
 * publish after `commandMs` instead of queueing it for ever, and a command is not retried across
 * reconnects without end. The library's heartbeats notice the silence on their own.
 */
export function redisConnectionFrom(url: string): RedisOptions {
  const parsed = new URL(url);
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new Error('REDIS_URL must start with redis:// or rediss://');
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  return {
    host: parsed.hostname || '127.0.0.1',
    port: Number(parsed.port || 6379),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(Number.isInteger(db) && db > 0 ? { db } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    connectTimeout: REDIS_TIMEOUTS.connectMs,
    commandTimeout: REDIS_TIMEOUTS.commandMs,
    maxRetriesPerRequest: 1,
  };
}
