import { Logger } from '@nestjs/common';
import { callStore } from './store-call';
import { RevocationUnavailableException } from './bearer-auth.exceptions';

describe('callStore', () => {
  const limits = { retryAfterSeconds: 4, storeTimeoutMs: 50 };
  let error: jest.SpyInstance;
  beforeEach(() => (error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined)));
  afterEach(() => error.mockRestore());

  it('answers what the store answers in time', async () => {
    await expect(callStore(async () => 7, limits)).resolves.toBe(7);
  });

  it('answers 503 with Retry-After when the store does not answer within storeTimeoutMs, and says so in the log', async () => {
    const storeFailed = jest.fn();
    const started = Date.now();
    const refused = await callStore(() => new Promise(() => undefined), limits, { storeFailed }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(refused).toBeInstanceOf(RevocationUnavailableException);
    expect((refused as RevocationUnavailableException).headers).toEqual({ 'Retry-After': '4' });
    expect(storeFailed).toHaveBeenCalledTimes(1);
    expect(String(error.mock.calls[0][0])).toContain('no answer within 50 ms');
  });

  it('answers 503 with Retry-After when the store fails, naming nothing internal', async () => {
    const refused = await callStore(() => Promise.reject(new Error('connect ECONNRESET 10.0.0.5:5432')), limits).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RevocationUnavailableException);
    expect(JSON.stringify((refused as RevocationUnavailableException).getResponse())).not.toContain('ECONNRESET');
  });

  it('hands a write that lands after its timeout to lateSuccess, so it can still be announced', async () => {
    const late = jest.fn();
    let land: (value: string[]) => void = () => undefined;
    const write = new Promise<string[]>((resolve) => (land = resolve));
    await expect(callStore(() => write, limits, undefined, late)).rejects.toBeInstanceOf(RevocationUnavailableException);
    expect(late).not.toHaveBeenCalled();
    land(['s1']);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(late).toHaveBeenCalledWith(['s1']);
  });
});
