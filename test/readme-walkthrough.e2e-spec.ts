// Issue 12 §7: the README's curl walkthrough runs as pasted. The bash block after "Try it:" is
// taken from README.md and run against a started demo (only host and port are changed).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { testDatabases } from './support/databases';
import { startApp, type TestApp } from './support/test-app';

function walkthrough(): string {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const match = /Try it:\s*```bash\n([\s\S]*?)```/.exec(readme);
  if (!match) throw new Error('README.md has no bash block after "Try it:"');
  return match[1];
}

describe('the README curl walkthrough', () => {
  let t: TestApp;
  let drop: () => Promise<void>;
  let base: string;

  beforeAll(async () => {
    const created = await testDatabases()[0].create();
    drop = created.drop;
    t = await startApp(created.url);
    await t.app.listen(0, '127.0.0.1');
    base = `127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await t?.close();
    await drop?.();
  });

  it('runs as pasted: register, login, /me 200 with roles, logout-all 204, /me 401 invalid_token', async () => {
    const script = walkthrough();
    expect(script).toContain('localhost:3000');
    const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script.replaceAll('localhost:3000', base)], { timeout: 30_000 });
    const lines = stdout.trim().split('\n');
    expect(JSON.parse(lines[0])).toMatchObject({ id: expect.any(Number), email: 'a@example.com' }); // register
    expect(JSON.parse(lines[1])).toEqual({ id: expect.any(Number), email: 'a@example.com', roles: ['user'] }); // /me
    expect(lines[2]).toBe('204'); // logout-all
    expect(JSON.parse(lines[3])).toMatchObject({ statusCode: 401, error: 'invalid_token' }); // /me again
  });
});
