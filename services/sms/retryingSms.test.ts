import { ConstantBackoff, type IRetryBackoffContext } from 'cockatiel';
import { SmsError, type SmsGateway, type SmsMessage } from './index';
import { createRetryingSms, defaultSmsBackoff } from './retryingSms';

const MESSAGE: SmsMessage = { to: '+8613800138000', text: '验证码 123456' };

/** A gateway that fails the first `failures` sends with `error`, then accepts. */
function flaky(failures: number, error: () => Error = () => new SmsError('down (test)')) {
  const attempts: SmsMessage[] = [];
  const gateway: SmsGateway = {
    async send(m) {
      attempts.push(m);
      if (attempts.length <= failures) throw error();
    },
  };
  return { gateway, attempts };
}

const fast = { backoff: new ConstantBackoff(0) };

describe('createRetryingSms', () => {
  it('a send that works is made once', async () => {
    const g = flaky(0);
    await createRetryingSms(g.gateway, { retries: 2, ...fast }).send(MESSAGE);
    expect(g.attempts).toHaveLength(1);
  });

  it('tries again after an SmsError, with the same message, until one works', async () => {
    const g = flaky(2);
    await createRetryingSms(g.gateway, { retries: 2, ...fast }).send(MESSAGE);
    expect(g.attempts).toEqual([MESSAGE, MESSAGE, MESSAGE]);
  });

  it('after the last retry the SmsError reaches the caller', async () => {
    const g = flaky(3);
    const sms = createRetryingSms(g.gateway, { retries: 2, ...fast });
    await expect(sms.send(MESSAGE)).rejects.toBeInstanceOf(SmsError);
    expect(g.attempts).toHaveLength(3);
  });

  it('retries: 0 sends once', async () => {
    const g = flaky(1);
    await expect(createRetryingSms(g.gateway, { retries: 0 }).send(MESSAGE)).rejects.toBeInstanceOf(SmsError);
    expect(g.attempts).toHaveLength(1);
  });

  it('an error that is not an SmsError (a bug) is not retried', async () => {
    const g = flaky(1, () => new TypeError('bug'));
    await expect(createRetryingSms(g.gateway, { retries: 2, ...fast }).send(MESSAGE)).rejects.toBeInstanceOf(TypeError);
    expect(g.attempts).toHaveLength(1);
  });

  it('waits as the backoff says between attempts', async () => {
    const delays: number[] = [];
    // A backoff that records what is asked of it and waits 0 ms: the policy's delays without the waiting.
    const recording = {
      next(context: IRetryBackoffContext<unknown>) {
        delays.push(context.attempt);
        return { duration: 0, next: recording.next };
      },
    };
    const g = flaky(2);
    await createRetryingSms(g.gateway, { retries: 2, backoff: recording }).send(MESSAGE);
    expect(delays).toEqual([1, 2]);
  });

  it('the default backoff stays between 0 and 2 s', () => {
    const context = { attempt: 1, result: { error: new SmsError('x') }, signal: new AbortController().signal };
    let backoff = defaultSmsBackoff().next(context);
    for (let i = 0; i < 20; i += 1) {
      expect(backoff.duration).toBeGreaterThanOrEqual(0);
      expect(backoff.duration).toBeLessThanOrEqual(2000);
      backoff = backoff.next({ ...context, attempt: i + 2 });
    }
  });

  it('rejects a negative or fractional retry count', () => {
    expect(() => createRetryingSms(flaky(0).gateway, { retries: -1 })).toThrow(RangeError);
    expect(() => createRetryingSms(flaky(0).gateway, { retries: 1.5 })).toThrow(RangeError);
  });
});
