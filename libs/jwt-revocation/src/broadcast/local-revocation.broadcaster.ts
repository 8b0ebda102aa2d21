import type { RevocationBroadcaster } from './revocation-broadcaster.interface';

/** The single-process default: nothing to tell, never disconnected. */
export class LocalRevocationBroadcaster implements RevocationBroadcaster {
  async start(): Promise<void> {}
  async publish(): Promise<void> {}
  isConnected(): boolean {
    return true;
  }
  async stop(): Promise<void> {}
}
