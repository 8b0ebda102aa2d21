import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

/**
 * Lets the bench driver profile a server over IPC (`BENCH_PROFILE=1`): `{ type: 'profile-start' }`
 * then `{ type: 'profile-stop', file }` writes a .cpuprofile (open it in Chrome DevTools).
 */
export function acceptProfilingRequests(): void {
  const session = new Session();
  session.connect();
  const post = (method: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) =>
      session.post(method, (error, result) => (error ? reject(error) : resolve(result as Record<string, unknown>))),
    );
  process.on('message', (message: { type?: string; file?: string }) => {
    if (message?.type === 'profile-start') {
      void post('Profiler.enable')
        .then(() => post('Profiler.start'))
        .then(() => process.send?.({ type: 'profiling' }));
    }
    if (message?.type === 'profile-stop' && message.file) {
      void post('Profiler.stop').then(({ profile }) => {
        writeFileSync(message.file!, JSON.stringify(profile));
        process.send?.({ type: 'profiled', file: message.file });
      });
    }
  });
}
