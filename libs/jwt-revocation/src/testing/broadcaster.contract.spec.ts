import { LocalRevocationBroadcaster } from '../broadcast/local-revocation.broadcaster';
import { runBroadcasterContract } from './broadcaster.contract';

// The single-process default carries nothing: only the lifecycle part of the contract applies.
runBroadcasterContract('LocalRevocationBroadcaster', async () => ({ create: () => new LocalRevocationBroadcaster() }), { delivers: false });
