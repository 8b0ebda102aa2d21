import type { InvalidationListener, InvalidationMessage, RevocationBroadcaster } from '../broadcast/revocation-broadcaster.interface';
import { decodeInvalidation, encodeInvalidation } from '../broadcast/invalidation-message.codec';

/**
 * A transport under test. Every broadcaster `create` returns shares one channel (fresh for this
 * harness); `cuttable` ones reach the server through the link `cutLink()` breaks.
 */
export interface BroadcasterHarness {
  create(options: { cuttable: boolean }): RevocationBroadcaster | Promise<RevocationBroadcaster>;
  /** Sends raw text on the channel as a foreign publisher would (required when it delivers). */
  publishRaw?(text: string): Promise<void>;
  /** Drops every cuttable link and refuses new ones until `restoreLink()` (required when it delivers). */
  cutLink?(): void | Promise<void>;
  /** Keeps the cuttable links open but lets nothing through until `restoreLink()` (required with `blackHoleBoundMs`). */
  blackHoleLink?(): void | Promise<void>;
  restoreLink?(): void | Promise<void>;
  /**
   * A broadcaster built on a client the app owns (the `client`/`pool` option); `clientStillWorks`
   * runs a command on that client (required unless `borrowsClient: false`).
   */
  createOnBorrowedClient?(): Promise<{ broadcaster: RevocationBroadcaster; clientStillWorks(): Promise<boolean>; release(): Promise<void> }>;
  close?(): Promise<void>;
}

export interface BroadcasterContractOptions {
  /** False for a single-process broadcaster: nothing travels, only the lifecycle is checked. Default true. */
  delivers?: boolean;
  /** Every publish settles (resolves or rejects) within this, connected or not. Default 10 000 ms. */
  publishBoundMs?: number;
  /** Once the link is back, the broadcaster is subscribed again within this. Default 15 000 ms. */
  reconnectBoundMs?: number;
  /** False when the broadcaster cannot be given the app's own client. Default: same as `delivers`. */
  borrowsClient?: boolean;
  /**
   * When set, a black-holed link (open, silent) must show as disconnected within this, and be
   * resubscribed (with a resync) once it is back. Unset: the transport does not claim to see it.
   */
  blackHoleBoundMs?: number;
}

/** Collects what a broadcaster hands its listener. */
class RecordingListener implements InvalidationListener {
  readonly received: InvalidationMessage[] = [];
  resyncs = 0;
  onInvalidate(message: InvalidationMessage): void {
    this.received.push(message);
  }
  onResync(): void {
    this.resyncs++;
  }
}

/**
 * Every behaviour the module (and the invalidation channel wrapping a transport) relies on from a
 * `RevocationBroadcaster`, as a jest `describe` block: messages reach every instance, the publisher
 * included, exactly as the wire codec carries them; foreign text is ignored; a cut link shows as
 * disconnected and ends in a resync; publish never hangs; stop() leaves the app's own client alone.
 */
export function runBroadcasterContract(name: string, factory: () => Promise<BroadcasterHarness>, options: BroadcasterContractOptions = {}): void {
  const delivers = options.delivers ?? true;
  const publishBoundMs = options.publishBoundMs ?? 10_000;
  const reconnectBoundMs = options.reconnectBoundMs ?? 15_000;
  const borrowsClient = options.borrowsClient ?? delivers;

  describe(`RevocationBroadcaster contract: ${name}`, () => {
    let harness: BroadcasterHarness;
    const started: RevocationBroadcaster[] = [];

    beforeAll(async () => {
      harness = await factory();
    });
    afterEach(async () => {
      await harness?.restoreLink?.();
      await Promise.all(started.splice(0).map((broadcaster) => broadcaster.stop()));
    });
    afterAll(async () => {
      await harness?.close?.();
    });

    async function startOne(cuttable = false): Promise<{ broadcaster: RevocationBroadcaster; listener: RecordingListener }> {
      const broadcaster = await harness.create({ cuttable });
      started.push(broadcaster);
      const listener = new RecordingListener();
      await broadcaster.start(listener);
      return { broadcaster, listener };
    }

    /** What the receiving side must see for `message`: whatever the shared codec carries, unchanged. */
    const asCarried = (message: InvalidationMessage) => decodeInvalidation(encodeInvalidation(message));
    /** Cases about delivery over a link exist only for transports that deliver (the in-process one has no link). */
    const itDelivers = (name: string, fn: () => Promise<void>) => {
      if (delivers) it(name, fn);
    };
    const itNoticesBlackHole = (name: string, fn: () => Promise<void>) => {
      if (delivers && options.blackHoleBoundMs !== undefined) it(name, fn);
    };

    it('is connected once started, and publish settles', async () => {
      const { broadcaster, listener } = await startOne();
      await eventually(() => broadcaster.isConnected(), reconnectBoundMs, 'connected after start');
      if (delivers) expect(listener.resyncs).toBeGreaterThanOrEqual(1);
      await expect(settles(broadcaster.publish({ kind: 'user', userId: 'u-start', sentAt: Date.now() }), publishBoundMs)).resolves.toBe(true);
    });

    itDelivers('two instances see each other’s messages and their own, as the codec carries them', async () => {
      const a = await startOne();
      const b = await startOne();
      await eventually(() => a.broadcaster.isConnected() && b.broadcaster.isConnected(), reconnectBoundMs, 'both connected');
      const fromA: InvalidationMessage = { kind: 'user', userId: `user-${unique()}`, sentAt: Date.now() };
      const fromB: InvalidationMessage = { kind: 'sessions', sessionIds: [`s-${unique()}`, `s-${unique()}`], sentAt: Date.now() };
      const everyone: InvalidationMessage = { kind: 'everyone', revokedBefore: 1_700_000_000 };
      await a.broadcaster.publish(fromA);
      await b.broadcaster.publish(fromB);
      await b.broadcaster.publish(everyone);
      for (const side of [a, b]) {
        await eventually(() => side.listener.received.length >= 3, 5000, 'three messages on each side');
        expect(side.listener.received).toEqual(expect.arrayContaining([asCarried(fromA), asCarried(fromB), asCarried(everyone)]));
      }
      // Messages from one publisher arrive in the order they were sent.
      const bOrder = a.listener.received.filter((m) => m.kind !== 'user').map((m) => m.kind);
      expect(bOrder).toEqual(['sessions', 'everyone']);
    });

    itDelivers('ignores malformed and foreign messages and stays connected', async () => {
      if (!harness.publishRaw) throw new Error('The harness needs publishRaw() for this case');
      const { broadcaster, listener } = await startOne();
      await eventually(() => broadcaster.isConnected(), reconnectBoundMs, 'connected');
      for (const raw of ['not json', '{"kind":"user","userId":42}', '{"kind":"drop-tables"}', '[]', 'null', '{"kind":"sessions","sessionIds":[1]}']) {
        await harness.publishRaw(raw);
      }
      const marker: InvalidationMessage = { kind: 'user', userId: `marker-${unique()}` };
      await harness.publishRaw(encodeInvalidation(marker));
      await eventually(() => listener.received.length >= 1, 5000, 'the valid message');
      await sleep(100); // a malformed one delivered late would show now
      expect(listener.received).toEqual([asCarried(marker)]);
      expect(broadcaster.isConnected()).toBe(true);
    });

    itDelivers('shows a cut link as disconnected, publish settles while it is down, and it resubscribes and resyncs once back', async () => {
      if (!harness.cutLink || !harness.restoreLink) throw new Error('The harness needs cutLink() and restoreLink() for this case');
      const a = await startOne();
      const b = await startOne(true);
      await eventually(() => a.broadcaster.isConnected() && b.broadcaster.isConnected(), reconnectBoundMs, 'both connected');
      const resyncsBefore = b.listener.resyncs;
      await harness.cutLink();
      await eventually(() => !b.broadcaster.isConnected(), 5000, 'disconnected once the link is cut');
      const started = Date.now();
      expect(await settles(b.broadcaster.publish({ kind: 'user', userId: 'while-down' }), publishBoundMs)).toBe(true);
      expect(Date.now() - started).toBeLessThan(publishBoundMs);
      expect(b.broadcaster.isConnected()).toBe(false);
      await harness.restoreLink();
      await eventually(() => b.broadcaster.isConnected() && b.listener.resyncs > resyncsBefore, reconnectBoundMs, 'resubscribed and resynced');
      const after: InvalidationMessage = { kind: 'user', userId: `after-${unique()}` };
      await a.broadcaster.publish(after);
      await eventually(() => b.listener.received.some((m) => m.kind === 'user' && m.userId === after.userId), 5000, 'a message after the outage');
    });

    itNoticesBlackHole('notices a black-holed link, and resubscribes and resyncs once it is back', async () => {
      if (!harness.blackHoleLink || !harness.restoreLink) throw new Error('The harness needs blackHoleLink() and restoreLink() for this case');
      const a = await startOne();
      const b = await startOne(true);
      await eventually(() => a.broadcaster.isConnected() && b.broadcaster.isConnected(), reconnectBoundMs, 'both connected');
      const resyncsBefore = b.listener.resyncs;
      await harness.blackHoleLink();
      await eventually(() => !b.broadcaster.isConnected(), options.blackHoleBoundMs!, 'disconnected once the link is black-holed');
      await harness.restoreLink();
      await eventually(() => b.broadcaster.isConnected() && b.listener.resyncs > resyncsBefore, reconnectBoundMs, 'resubscribed and resynced');
      const after: InvalidationMessage = { kind: 'user', userId: `after-hole-${unique()}` };
      await a.broadcaster.publish(after);
      await eventually(() => b.listener.received.some((m) => m.kind === 'user' && m.userId === after.userId), 5000, 'a message after the black-hole');
    });

    itDelivers('after stop() it is disconnected and its listener hears nothing more', async () => {
      const a = await startOne();
      const b = await startOne();
      await eventually(() => a.broadcaster.isConnected() && b.broadcaster.isConnected(), reconnectBoundMs, 'both connected');
      await b.broadcaster.stop();
      expect(b.broadcaster.isConnected()).toBe(false);
      await a.broadcaster.publish({ kind: 'user', userId: 'after-stop' });
      await eventually(() => a.listener.received.length >= 1, 5000, 'the publisher hears itself');
      await sleep(100);
      expect(b.listener.received).toEqual([]);
    });

    if (borrowsClient) it('stop() closes only what it opened: the app’s own client keeps working', async () => {
      if (!harness.createOnBorrowedClient) throw new Error('The harness needs createOnBorrowedClient() for this case');
      const { broadcaster, clientStillWorks, release } = await harness.createOnBorrowedClient();
      try {
        const listener = new RecordingListener();
        await broadcaster.start(listener);
        await eventually(() => broadcaster.isConnected(), reconnectBoundMs, 'connected');
        await broadcaster.publish({ kind: 'user', userId: 'borrowed' });
        await broadcaster.stop();
        expect(await clientStillWorks()).toBe(true);
      } finally {
        await release();
      }
    });
  });
}

/** True when `work` settles (resolves or rejects) within `ms`. */
async function settles(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function eventually(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Not ${what} within ${timeoutMs} ms`);
    await sleep(10);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let counter = 0;
const unique = () => `${process.pid}-${Date.now()}-${counter++}`;
