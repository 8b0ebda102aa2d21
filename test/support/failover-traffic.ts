import type { InvalidationMessage, RevocationBroadcaster } from 'nestjs-jwt-revocation';
import { waitUntil } from './tcp-proxy';

export interface FailoverDuringTraffic {
  /** A broadcaster on the channel under test; called twice (publisher, subscriber). */
  make(): RevocationBroadcaster;
  /** The fault (a master killed, a failover ordered), given the subscriber to watch if it needs to. */
  fault(subscriber: RevocationBroadcaster): Promise<void>;
  /** Whether another server serves the channel now. */
  switched(): Promise<boolean>;
}

/**
 * One message every 20 ms from one broadcaster to another while `fault` runs. Resolves with the
 * milliseconds from the fault until the serving server changed, the subscriber reconnected and
 * resynced (it may have missed messages) and five more messages arrived.
 */
export async function recoveryDuringTraffic({ make, fault, switched }: FailoverDuringTraffic): Promise<number> {
  const publisher = make();
  const subscriber = make();
  const received: InvalidationMessage[] = [];
  let resyncs = 0;
  await publisher.start({ onInvalidate: () => undefined, onResync: () => undefined });
  await subscriber.start({ onInvalidate: (message) => received.push(message), onResync: () => resyncs++ });
  let stopTraffic = false;
  let traffic: Promise<void> = Promise.resolve();
  try {
    expect(subscriber.isConnected()).toBe(true);
    let sent = 0;
    traffic = (async () => {
      while (!stopTraffic) {
        await publisher.publish({ kind: 'user', userId: `u-${sent++}` }).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    await waitUntil(async () => received.length >= 5, 5000);
    const resyncsBefore = resyncs;
    const faultAt = Date.now();
    await fault(subscriber);
    // Node timeouts or the sentinels' down-after, then an election: generous bounds.
    await waitUntil(() => switched().catch(() => false), 30_000, 100);
    await waitUntil(async () => subscriber.isConnected() && resyncs > resyncsBefore, 30_000, 50);
    const countAfter = received.length;
    await waitUntil(async () => received.length >= countAfter + 5, 10_000);
    return Date.now() - faultAt;
  } finally {
    stopTraffic = true;
    await traffic;
    await publisher.stop();
    await subscriber.stop();
  }
}
