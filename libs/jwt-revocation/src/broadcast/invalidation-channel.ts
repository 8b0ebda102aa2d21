import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { InvalidationChannelStatus } from '../health/invalidation-channel-status';
import type { InvalidationMessage, RevocationBroadcaster } from './revocation-broadcaster.interface';
import { LocalRevocationBroadcaster } from './local-revocation.broadcaster';
import { settlesWithin } from './settles-within';
import { PublisherSequences } from './publisher-sequences';
import { PeerLiveness } from './peer-liveness';
import { JWT_REVOCATION_DEFAULTS } from '../options/jwt-revocation.defaults';
import type { ResolvedOptions } from '../options/resolved-options';

/** What the channel hands on: invalidations from other instances, and "forget everything". */
export interface ChannelListener {
  onInvalidate(message: InvalidationMessage): void;
  /** The cache may be stale (trust lost or regained, a reconnect, a lost message): drop it all. */
  onResync(): void;
}

export interface ChannelTiming {
  /** How often this instance publishes a heartbeat on the transport. */
  heartbeatIntervalMs: number;
  /** Trusted only while the echo of a heartbeat sent less than this long ago has come back. */
  heartbeatDeadlineMs: number;
  /** Longest wait for the transport to start and for its first echo. */
  startTimeoutMs: number;
  /** Also distrust while another instance is silent past `heartbeatDeadlineMs` (see `watchPeers`). Default true. */
  watchPeers?: boolean;
  /** A peer silent this long is forgotten: the cache TTL (`cache.ttlMs`). Default 60000. */
  forgetSilentPeerAfterMs?: number;
}

type Untrusted = 'broadcaster not connected' | 'heartbeat' | 'resync after sequence gap' | 'not started' | 'peer silent' | 'too many peers';

/** How much of a peer's id the logs and the reason show: enough to tell instances apart. */
const PEER_ID_SHOWN = 6;

/**
 * The invalidation channel over whatever transport (`RevocationBroadcaster`) the app configured:
 * stamps every message with this instance's id and a per-publisher sequence number, publishes
 * heartbeats on the same transport, and trusts it only while it is connected and this instance's
 * own heartbeat came back within `heartbeatDeadlineMs`. A silent link (black-holed, a stuck proxy,
 * a paused VM) therefore stops the cache from being trusted within the deadline; a gap in another
 * publisher's sequence (a message lost on a healthy link) flushes the cache and waits for the next echo.
 * It also watches its peers' heartbeats: a peer silent past the deadline may be the one whose link is
 * silent, its revocations lost on the way, so the cache is not trusted until it is heard again (flush)
 * or has been silent for the cache TTL (forgotten). A peer stopping gracefully publishes `leaving`.
 */
export class InvalidationChannel implements InvalidationChannelStatus {
  /** This process's id on the channel: random, so a restarted instance starts a new sequence. */
  readonly instanceId = randomBytes(9).toString('base64url');
  private readonly logger = new Logger('JwtRevocation');
  /** The in-process transport has no link to lose: always trusted, no heartbeats. */
  private readonly local: boolean;
  private readonly sequences = new PublisherSequences();
  /** Other instances and when each was last heard; undefined when peers are not watched. */
  private readonly peers: PeerLiveness | undefined;
  /** The silent peer behind the current distrust, for `reason`. */
  private silentPeer = '';
  private listener: ChannelListener | undefined;
  private timer: NodeJS.Timeout | undefined;
  private nextSeq = 0;
  /** Our sentAt of the newest own heartbeat that came back; 0: none yet. */
  private echoedSentAt = 0;
  /** A gap was seen: untrusted until a heartbeat sent after this instant comes back. */
  private gapAt = 0;
  private trusted: boolean;
  private changedAt: number;
  private untrustedBy: Untrusted | undefined;
  /** Whether a loss of trust was logged (so regaining it is logged once too). */
  private announced = false;
  private stopped = false;
  /**
   * When the heartbeat still unsettled was sent (0: none): a silent transport must not pile up one
   * more every interval, only one per deadline (in case it never settles at all).
   */
  private beatPendingSince = 0;

  /** The channel over `options.broadcaster`, timed by the heartbeat options (start bounded by `broadcastTimeoutMs`). */
  static fromOptions(options: ResolvedOptions): InvalidationChannel {
    return new InvalidationChannel(options.broadcaster, {
      heartbeatIntervalMs: options.heartbeatIntervalMs,
      heartbeatDeadlineMs: options.heartbeatDeadlineMs,
      startTimeoutMs: options.broadcastTimeoutMs,
      watchPeers: options.watchPeers,
      forgetSilentPeerAfterMs: options.cache.ttlMs,
    });
  }

  constructor(
    private readonly transport: RevocationBroadcaster,
    private readonly timing: ChannelTiming,
    /** Epoch ms that never goes back (a wall-clock step must not stretch the deadline). */
    private readonly now: () => number = () => performance.timeOrigin + performance.now(),
  ) {
    this.local = transport instanceof LocalRevocationBroadcaster;
    this.trusted = this.local;
    this.untrustedBy = this.local ? undefined : 'not started';
    this.changedAt = Date.now(); // wall clock: `since` is shown as a date
    const watchPeers = timing.watchPeers ?? JWT_REVOCATION_DEFAULTS.watchPeers;
    const forgetAfterMs = timing.forgetSilentPeerAfterMs ?? JWT_REVOCATION_DEFAULTS.cache.ttlMs;
    this.peers = watchPeers && !this.local ? new PeerLiveness(timing.heartbeatDeadlineMs, forgetAfterMs) : undefined;
  }

  /** Starts the transport and the heartbeats; resolves once trusted or after `startTimeoutMs` (it keeps trying). */
  async start(listener: ChannelListener): Promise<void> {
    this.listener = listener;
    this.untrustedBy = undefined;
    if (this.local) return void (await this.transport.start({ onInvalidate: () => undefined, onResync: () => undefined }));
    const started = this.now();
    await settlesWithin(
      () =>
        this.transport.start({
          onInvalidate: (message) => this.receive(message),
          onResync: () => this.transportResynced(),
        }),
      this.timing.startTimeoutMs,
    );
    this.timer = setInterval(() => {
      if (this.beatPendingSince === 0 || this.now() - this.beatPendingSince > this.timing.heartbeatDeadlineMs) this.beat();
      this.isTrusted(); // notices a silent link even when no request asks
    }, this.timing.heartbeatIntervalMs);
    this.timer.unref();
    this.beat();
    const left = Math.max(0, this.timing.startTimeoutMs - (this.now() - started));
    await settlesWithin(() => this.untilTrusted(left), left);
    if (!this.isTrusted()) {
      this.announced = true;
      this.logger.warn(
        `The revocation broadcaster is not connected (${this.reason}): until it is, this instance checks every token against the ` +
          'source of truth, and revocations made here are saved but may not be broadcast (other instances see them when their cache entries expire).',
      );
    }
  }

  /** Adds this instance's id and the next sequence number; a message stamped once keeps them on retries. */
  stamp(message: InvalidationMessage): InvalidationMessage {
    if (message.from === this.instanceId) return message;
    return { ...message, from: this.instanceId, seq: ++this.nextSeq };
  }

  /** Publishes a stamped message (stamping it when it is not). */
  publish(message: InvalidationMessage): Promise<void> {
    if (this.local) return this.transport.publish(message);
    return this.transport.publish(this.stamp(message));
  }

  isTrusted(): boolean {
    if (this.local) return true;
    const reason = this.untrustedReason();
    const trusted = reason === undefined;
    if (trusted !== this.trusted) this.change(trusted, reason);
    else if (!trusted) this.untrustedBy = reason;
    return trusted;
  }

  get since(): number {
    this.isTrusted();
    return this.changedAt;
  }

  get reason(): string | undefined {
    if (this.isTrusted()) return undefined;
    if (this.untrustedBy === 'heartbeat') return `heartbeat not echoed within ${this.timing.heartbeatDeadlineMs} ms`;
    if (this.untrustedBy === 'peer silent') return `peer ${this.silentPeer.slice(0, PEER_ID_SHOWN)} silent for more than ${this.timing.heartbeatDeadlineMs} ms`;
    if (this.untrustedBy === 'too many peers') return 'too many instances on the channel to watch them all';
    return this.untrustedBy;
  }

  async stop(): Promise<void> {
    const wasRunning = !this.stopped && this.listener !== undefined;
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    // Tell the peers, so they forget this instance instead of distrusting its silence (bounded: a
    // silent link must not hold the shutdown; they then forget it after the cache TTL instead).
    if (wasRunning && !this.local && this.transport.isConnected()) {
      const leaving: InvalidationMessage = { kind: 'leaving', from: this.instanceId, seq: this.nextSeq, sentAt: this.now() };
      await settlesWithin(() => this.transport.publish(leaving), this.timing.heartbeatDeadlineMs).catch(() => undefined);
    }
    await this.transport.stop();
  }

  private untrustedReason(): Untrusted | undefined {
    if (this.stopped || this.listener === undefined) return 'not started';
    if (!this.transport.isConnected()) return 'broadcaster not connected';
    if (this.gapAt !== 0) return 'resync after sequence gap';
    if (this.now() - this.echoedSentAt > this.timing.heartbeatDeadlineMs) return 'heartbeat';
    return this.peersUntrusted();
  }

  private peersUntrusted(): Untrusted | undefined {
    if (!this.peers) return undefined;
    const now = this.now();
    const silent = this.peers.silent(now);
    this.peers.drainForgotten(this.logForgotten);
    if (this.peers.overflowing(now)) return 'too many peers';
    if (silent === undefined) return undefined;
    this.silentPeer = silent;
    return 'peer silent';
  }

  /** One function for the channel's life: the trust check runs per request and must not allocate. */
  private readonly logForgotten = (id: string): void =>
    this.logger.log(`Peer ${id.slice(0, PEER_ID_SHOWN)} silent for longer than the cache TTL: forgotten by instance ${this.instanceId}`);

  private change(trusted: boolean, reason: Untrusted | undefined): void {
    this.trusted = trusted;
    this.untrustedBy = reason;
    this.changedAt = Date.now();
    // Either way the cache may hold what a missed message would have dropped, and a read that
    // started before this instant must not be cached after it.
    this.listener?.onResync();
    if (!trusted) {
      if (this.stopped) return;
      this.announced = true;
      this.logger.warn(`Revocation channel not trusted on instance ${this.instanceId} (${this.reason}): checking every token against the source of truth until it is`);
    } else if (this.announced) {
      this.announced = false;
      this.logger.log(`Revocation channel trusted again on instance ${this.instanceId}: cache flushed, caching resumed`);
    }
  }

  private receive(message: InvalidationMessage): void {
    if (message.kind === 'heartbeat' && message.from === this.instanceId) return this.echoed(message.sentAt ?? 0);
    if (message.from === this.instanceId) return; // applied locally when it was sent
    if (message.from !== undefined) this.peers?.heard(message.from, this.now());
    let gap: boolean;
    if (message.kind === 'heartbeat' || message.kind === 'leaving') {
      // Both carry the publisher's last sequence number: a lost last message shows too.
      gap = this.sequences.heartbeat(message.from!, message.seq!);
      if (message.kind === 'leaving') this.peers?.left(message.from!);
    } else {
      this.listener?.onInvalidate(message);
      gap = message.from !== undefined && this.sequences.message(message.from, message.seq!);
    }
    // Checked after the sequence, so a silent peer heard again with a gap stays untrusted (one flush,
    // one log line) instead of flapping; heard again without one, trust returns (with a flush) at once.
    if (gap) this.gap();
    else this.isTrusted();
  }

  private echoed(sentAt: number): void {
    if (sentAt > this.echoedSentAt) this.echoedSentAt = sentAt;
    if (this.gapAt !== 0 && sentAt >= this.gapAt) this.gapAt = 0;
    this.isTrusted();
  }

  private gap(): void {
    this.gapAt = this.now();
    this.listener?.onResync(); // flush now, whatever the trust state
    this.isTrusted();
    this.beat();
  }

  /** The transport reconnected: what was sent meanwhile is unknown. */
  private transportResynced(): void {
    this.sequences.clear();
    this.listener?.onResync();
    this.beat(); // an echo restores trust at once instead of at the next tick
  }

  private beat(): void {
    if (this.stopped || !this.transport.isConnected()) return;
    const heartbeat: InvalidationMessage = { kind: 'heartbeat', from: this.instanceId, seq: this.nextSeq, sentAt: this.now() };
    const sentAt = heartbeat.sentAt!;
    this.beatPendingSince = sentAt;
    // Failures need no handling: no echo means no trust.
    Promise.resolve()
      .then(() => this.transport.publish(heartbeat))
      .catch(() => undefined)
      .finally(() => {
        if (this.beatPendingSince === sentAt) this.beatPendingSince = 0;
      });
  }

  private async untilTrusted(timeoutMs: number): Promise<void> {
    const until = this.now() + timeoutMs;
    while (!this.isTrusted() && this.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
