import { Logger } from '@nestjs/common';
import { InvalidationChannel, type ChannelListener } from './invalidation-channel';
import { LocalRevocationBroadcaster } from './local-revocation.broadcaster';
import { decodeInvalidation, encodeInvalidation } from './invalidation-message.codec';
import { MAX_WATCHED_PEERS } from './peer-liveness';
import type { InvalidationListener, InvalidationMessage, RevocationBroadcaster } from './revocation-broadcaster.interface';

// A deadline generous for a loaded machine: an event loop stalled past it would (rightly) distrust.
const TIMING = { heartbeatIntervalMs: 50, heartbeatDeadlineMs: 1000, startTimeoutMs: 2000 };

/** One pub/sub bus: every message reaches every member, its publisher included, through the wire codec. */
class Bus {
  readonly members = new Set<BusTransport>();
  /** Drops the next invalidation (not heartbeat) on its way to `to`, as a lossy link would. */
  loseNextTo: BusTransport | undefined;
  deliver(raw: string): void {
    for (const member of this.members) {
      const message = decodeInvalidation(raw);
      if (message && message.kind !== 'heartbeat' && this.loseNextTo === member) {
        this.loseNextTo = undefined;
        continue;
      }
      member.receive(raw);
    }
  }
}

/** A transport whose link can be black-holed (connected, nothing flows either way) or cut. */
class BusTransport implements RevocationBroadcaster {
  link: 'up' | 'black-holed' | 'cut' = 'up';
  /** Publishes that never settled (a silent link): they must not pile up. */
  hanging = 0;
  private listener: InvalidationListener | undefined;
  constructor(private readonly bus: Bus) {}
  async start(listener: InvalidationListener): Promise<void> {
    this.listener = listener;
    this.bus.members.add(this);
  }
  async publish(message: InvalidationMessage): Promise<void> {
    if (this.link === 'cut') throw new Error('connection closed');
    if (this.link === 'black-holed') {
      this.hanging++;
      return new Promise(() => undefined);
    }
    const raw = encodeInvalidation(message);
    setImmediate(() => this.bus.deliver(raw));
  }
  receive(raw: string): void {
    const message = decodeInvalidation(raw);
    if (this.link === 'up' && message) this.listener?.onInvalidate(message);
  }
  reconnected(): void {
    this.link = 'up';
    this.listener?.onResync();
  }
  isConnected(): boolean {
    return this.link !== 'cut';
  }
  async stop(): Promise<void> {
    this.bus.members.delete(this);
  }
}

class RecordingListener implements ChannelListener {
  readonly received: InvalidationMessage[] = [];
  resyncs = 0;
  onInvalidate(message: InvalidationMessage): void {
    this.received.push(message);
  }
  onResync(): void {
    this.resyncs++;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(probe: () => boolean, timeoutMs = 5000): Promise<number> {
  const started = Date.now();
  while (!probe()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met');
    await sleep(5);
  }
  return Date.now() - started;
}

describe('InvalidationChannel', () => {
  let bus: Bus;
  const channels: InvalidationChannel[] = [];
  let warn: jest.SpyInstance;
  let log: jest.SpyInstance;

  async function instance(timing: Partial<typeof TIMING & { forgetSilentPeerAfterMs: number; watchPeers: boolean }> = {}): Promise<{ channel: InvalidationChannel; transport: BusTransport; listener: RecordingListener }> {
    const transport = new BusTransport(bus);
    const channel = new InvalidationChannel(transport, { ...TIMING, ...timing });
    const listener = new RecordingListener();
    channels.push(channel);
    await channel.start(listener);
    return { channel, transport, listener };
  }

  beforeEach(() => {
    bus = new Bus();
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(async () => {
    await Promise.all(channels.splice(0).map((channel) => channel.stop()));
    warn.mockRestore();
    log.mockRestore();
  });

  it('is trusted once its own heartbeat came back, and hands on what others publish, not its own', async () => {
    const a = await instance();
    const b = await instance();
    expect(a.channel.isTrusted()).toBe(true);
    expect(b.channel.isTrusted()).toBe(true);
    await a.channel.publish({ kind: 'user', userId: 'u1' });
    await until(() => b.listener.received.length === 1);
    expect(b.listener.received[0]).toMatchObject({ kind: 'user', userId: 'u1', from: a.channel.instanceId, seq: 1 });
    await sleep(50);
    expect(a.listener.received).toEqual([]); // applied where it was made; heartbeats are never handed on
    expect(warn.mock.calls).toEqual([]);
  });

  it('stops trusting a black-holed link within the deadline, says so once, and trusts again (with a flush) when it is back', async () => {
    const a = await instance();
    const resyncsBefore = a.listener.resyncs;
    a.transport.link = 'black-holed';
    const lostAfter = await until(() => !a.channel.isTrusted());
    expect(lostAfter).toBeLessThanOrEqual(TIMING.heartbeatDeadlineMs + 200);
    expect(a.transport.isConnected()).toBe(true); // the transport itself never noticed
    expect(a.channel.reason).toBe(`heartbeat not echoed within ${TIMING.heartbeatDeadlineMs} ms`);
    expect(a.listener.resyncs).toBe(resyncsBefore + 1); // a read begun before this instant is not cached
    await sleep(100);
    expect(warn.mock.calls.filter(([line]) => /not trusted/.test(String(line)))).toHaveLength(1);
    // One heartbeat at a time waits on the silent link (a new one per deadline), not one per interval.
    expect(a.transport.hanging).toBeLessThanOrEqual(Math.ceil((lostAfter + 100) / TIMING.heartbeatDeadlineMs) + 1);

    a.transport.link = 'up';
    await until(() => a.channel.isTrusted());
    expect(a.listener.resyncs).toBe(resyncsBefore + 2);
    expect(log.mock.calls.filter(([line]) => /trusted again/.test(String(line)))).toHaveLength(1);
    expect(a.channel.reason).toBeUndefined();
  });

  it('is not trusted while the transport reports it is disconnected, whatever the heartbeats', async () => {
    const a = await instance();
    a.transport.link = 'cut';
    expect(a.channel.isTrusted()).toBe(false);
    expect(a.channel.reason).toBe('broadcaster not connected');
    const cutAt = a.channel.since;
    a.transport.reconnected();
    await until(() => a.channel.isTrusted());
    expect(a.channel.since).toBeGreaterThanOrEqual(cutAt);
  });

  it('resyncs on a gap in a publisher sequence (a message lost on a healthy link) and is trusted again after the next echo', async () => {
    const a = await instance();
    const b = await instance();
    await a.channel.publish({ kind: 'user', userId: 'u1' });
    await until(() => b.listener.received.length === 1);
    const resyncsBefore = b.listener.resyncs;
    bus.loseNextTo = b.transport;
    await a.channel.publish({ kind: 'user', userId: 'u2' }); // lost on its way to B
    await a.channel.publish({ kind: 'user', userId: 'u3' });
    await until(() => b.listener.received.length === 2);
    expect(b.listener.received.map((m) => (m as { userId: string }).userId)).toEqual(['u1', 'u3']);
    expect(b.listener.resyncs).toBeGreaterThan(resyncsBefore);
    await until(() => b.channel.isTrusted());
  });

  it('notices a lost last message from the next heartbeat of its publisher', async () => {
    const a = await instance();
    const b = await instance();
    await a.channel.publish({ kind: 'user', userId: 'u1' });
    await until(() => b.listener.received.length === 1);
    const resyncsBefore = b.listener.resyncs;
    bus.loseNextTo = b.transport;
    await a.channel.publish({ kind: 'user', userId: 'u2' });
    await until(() => b.listener.resyncs > resyncsBefore);
    expect(b.listener.received).toHaveLength(1);
  });

  it('keeps a message its sequence number when it is published again (a retry), so a late retry is no gap', async () => {
    const a = await instance();
    const stamped = a.channel.stamp({ kind: 'user', userId: 'u1' });
    expect(a.channel.stamp(stamped)).toBe(stamped);
    expect(a.channel.stamp({ kind: 'user', userId: 'u2' }).seq).toBe((stamped.seq ?? 0) + 1);
  });

  it('ignores foreign and malformed messages on the channel', async () => {
    const b = await instance();
    const resyncsBefore = b.listener.resyncs;
    for (const raw of ['nonsense', '{"kind":"user"}', '{"kind":"heartbeat","from":"x"}', '{"kind":"user","userId":"u","seq":3}', '{"kind":"user","userId":"u","from":7,"seq":1}']) {
      bus.deliver(raw);
    }
    await sleep(30);
    expect(b.listener.received).toEqual([]);
    expect(b.listener.resyncs).toBe(resyncsBefore);
    expect(b.channel.isTrusted()).toBe(true);
  });

  describe('watching its peers', () => {
    const untrustedLines = () => warn.mock.calls.filter(([line]) => /not trusted/.test(String(line)));
    /** B knows A once it has heard from it. */
    async function heardOf(a: { channel: InvalidationChannel }, b: { listener: RecordingListener; channel: InvalidationChannel }): Promise<void> {
      await a.channel.publish({ kind: 'user', userId: 'hello' });
      await until(() => b.listener.received.some((m) => m.from === a.channel.instanceId));
      await until(() => b.channel.isTrusted());
    }

    it("stops trusting within the deadline when a peer falls silent (the revoking instance's link black-holed), and trusts again with a flush once it is heard", async () => {
      const a = await instance();
      const b = await instance();
      await heardOf(a, b);
      const resyncsBefore = b.listener.resyncs;
      const receivedBefore = b.listener.received.length;
      a.transport.link = 'black-holed';
      void a.channel.publish({ kind: 'user', userId: 'u1' }); // hangs: never reaches B
      const lostAfter = await until(() => !b.channel.isTrusted());
      expect(lostAfter).toBeLessThanOrEqual(TIMING.heartbeatDeadlineMs + 300);
      expect(b.transport.isConnected()).toBe(true);
      expect(b.channel.reason).toBe(`peer ${a.channel.instanceId.slice(0, 6)} silent for more than ${TIMING.heartbeatDeadlineMs} ms`);
      expect(b.listener.resyncs).toBe(resyncsBefore + 1);
      expect(b.listener.received).toHaveLength(receivedBefore);
      await sleep(200);
      expect(untrustedLines().filter(([line]) => String(line).includes(b.channel.instanceId))).toHaveLength(1); // once, not per tick

      a.transport.link = 'up';
      await until(() => b.channel.isTrusted());
      expect(b.listener.resyncs).toBeGreaterThanOrEqual(resyncsBefore + 2); // trust regained: flushed
      expect(b.channel.reason).toBeUndefined();
      // A's heartbeat after the silence shows the lost message (a gap): still one loss and one regain, no flapping.
      await sleep(200);
      expect(untrustedLines().filter(([line]) => String(line).includes(b.channel.instanceId))).toHaveLength(1);
      expect(log.mock.calls.filter(([line]) => String(line).includes(`trusted again on instance ${b.channel.instanceId}`))).toHaveLength(1);
    });

    it('forgets a peer silent longer than the cache TTL and trusts again (with a flush), without it', async () => {
      const forgetSilentPeerAfterMs = 1500;
      const a = await instance();
      const b = await instance({ forgetSilentPeerAfterMs });
      await heardOf(a, b);
      a.transport.link = 'black-holed'; // as a crashed instance would: silent, no leaving
      await until(() => !b.channel.isTrusted());
      const resyncsWhileSilent = b.listener.resyncs;
      const regainedAfter = await until(() => b.channel.isTrusted(), 5000);
      expect(regainedAfter).toBeGreaterThan(forgetSilentPeerAfterMs - TIMING.heartbeatDeadlineMs - 200);
      expect(b.listener.resyncs).toBe(resyncsWhileSilent + 1);
      expect(log.mock.calls.some(([line]) => String(line).includes(`Peer ${a.channel.instanceId.slice(0, 6)} silent for longer than the cache TTL: forgotten`))).toBe(true);
      await sleep(TIMING.heartbeatDeadlineMs + 200);
      expect(b.channel.isTrusted()).toBe(true); // forgotten: its silence no longer counts
    });

    it('does not distrust a peer that left gracefully', async () => {
      const a = await instance();
      const b = await instance();
      await heardOf(a, b);
      await a.channel.stop();
      const resyncsBefore = b.listener.resyncs;
      // A late duplicate of its last heartbeat (a slow retry) does not bring it back to be distrusted.
      b.transport.receive(encodeInvalidation({ kind: 'heartbeat', from: a.channel.instanceId, seq: 1, sentAt: Date.now() }));
      await sleep(TIMING.heartbeatDeadlineMs + 300);
      expect(b.channel.isTrusted()).toBe(true);
      expect(b.listener.resyncs).toBe(resyncsBefore);
      expect(untrustedLines()).toEqual([]);
    });

    it('with watchPeers false ignores a silent peer', async () => {
      const a = await instance();
      const b = await instance({ watchPeers: false });
      await heardOf(a, b);
      a.transport.link = 'black-holed';
      await sleep(TIMING.heartbeatDeadlineMs + 300);
      expect(b.channel.isTrusted()).toBe(true);
    });

    it('bounds its peer table under a flood of forged ids: past the cap it distrusts (fails closed) until they are forgotten', async () => {
      const forgetSilentPeerAfterMs = 1500;
      const b = await instance({ forgetSilentPeerAfterMs });
      const heapBefore = process.memoryUsage().heapUsed;
      for (let i = 0; i < MAX_WATCHED_PEERS * 20; i++) {
        b.transport.receive(encodeInvalidation({ kind: 'heartbeat', from: `forged-${i}`, seq: 0, sentAt: Date.now() }));
      }
      expect(b.channel.isTrusted()).toBe(false);
      expect(b.channel.reason).toBe('too many instances on the channel to watch them all');
      const table = (b.channel as unknown as { peers: { size: number } }).peers;
      expect(table.size).toBe(MAX_WATCHED_PEERS);
      expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(50 * 1024 * 1024);
      // The forged ids never speak again: forgotten after the TTL, and the channel is trusted again.
      await until(() => b.channel.isTrusted(), forgetSilentPeerAfterMs * 2 + TIMING.heartbeatDeadlineMs + 2000);
      expect(table.size).toBe(0);
    });
  });

  it('decodes a leaving notice strictly', () => {
    expect(decodeInvalidation('{"kind":"leaving","from":"abc","seq":3,"sentAt":1}')).toEqual({ kind: 'leaving', from: 'abc', seq: 3, sentAt: 1 });
    for (const raw of ['{"kind":"leaving"}', '{"kind":"leaving","from":"abc","seq":3}', '{"kind":"leaving","from":"abc","sentAt":1}', '{"kind":"leaving","from":"","seq":3,"sentAt":1}', '{"kind":"leaving","from":"abc","seq":-1,"sentAt":1}']) {
      expect(decodeInvalidation(raw)).toBeUndefined();
    }
  });

  it('with the in-process default is always trusted and sends no heartbeat', async () => {
    const local = new LocalRevocationBroadcaster();
    const publish = jest.spyOn(local, 'publish');
    const channel = new InvalidationChannel(local, TIMING);
    channels.push(channel);
    await channel.start(new RecordingListener());
    await sleep(60);
    expect(channel.isTrusted()).toBe(true);
    expect(publish).not.toHaveBeenCalled();
  });
});
