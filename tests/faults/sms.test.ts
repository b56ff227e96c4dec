import type { AuditType } from '../../services/audit';
import { ExpectRepliesClient } from '../support/httpClient';
import { FRESH, ZHANG } from '../support/demo';
import { driveTo } from '../support/drive';
import { buttons, cd, createHarness, last, type Harness } from '../support/harness';
import { startTestServer, type TestServer } from '../support/server';
import { behindRetries, codeIn, isNotice, startFakeGateway, type FakeGateway } from '../support/fakeSmsGateway';

const count = async (h: { services: { audit: { list(): Promise<Array<{ type: AuditType }>> } } }, type: AuditType) =>
  (await h.services.audit.list()).filter((r) => r.type === type).length;

describe('SMS gateway faults, in-process (the recording gateway behind the production retry policy)', () => {
  let h: Harness;
  beforeEach(async () => {
    // One code per hour: a failed send that was counted would block the resend below.
    h = await createHarness({ env: { OTP_MAX_PER_HOUR: '1' } });
    behindRetries(h, 2);
  });
  afterEach(() => h.dispose());

  test('down for every attempt: otp.smsFailed with a resend button, nothing counted, a resend at once works', async () => {
    const c = h.conversation();
    await driveTo(h, c, 'oldPhoneReachable');
    h.sms.failNext = 3; // the first attempt and both retries
    const reply = last(await c.say('能收到'));
    expect(cd(reply)).toMatchObject({ key: 'otp.smsFailed', expecting: 'otp', otpTarget: 'old' });
    expect(buttons(reply)).toHaveLength(2); // resend, a person
    expect(h.sms.failNext).toBe(0); // every attempt was made
    expect(h.sms.sent).toHaveLength(0);
    expect(await count(h, 'code.sendFailed')).toBe(1);
    expect(await count(h, 'code.sent')).toBe(0);

    // Same moment (no time passes): no cooldown, no cap, because the failed code was taken back.
    const again = last(await c.say('重新发送'));
    expect(cd(again)).toMatchObject({ key: 'otp.sent.old', expecting: 'otp' });
    expect(h.sms.to(ZHANG.phone)).toHaveLength(1);
    expect(cd(last(await c.say(h.sms.lastCode(ZHANG.phone)))).expecting).toBe('newPhone');
  });

  test('fails once, then works: the customer just gets otp.sent, one code delivered, and it verifies', async () => {
    const c = h.conversation();
    await driveTo(h, c, 'oldPhoneReachable');
    h.sms.failNext = 1;
    expect(cd(last(await c.say('能收到')))).toMatchObject({ key: 'otp.sent.old', expecting: 'otp' });
    expect(h.sms.to(ZHANG.phone)).toHaveLength(1);
    expect(await count(h, 'code.sendFailed')).toBe(0);
    expect(cd(last(await c.say(h.sms.lastCode(ZHANG.phone)))).expecting).toBe('newPhone');
  });

  test('the new number\'s code: down for every attempt, then a resend works', async () => {
    const c = h.conversation();
    await driveTo(h, c, 'newPhone');
    h.sms.failNext = 3;
    expect(cd(last(await c.say(FRESH.national)))).toMatchObject({ key: 'otp.smsFailed', otpTarget: 'new' });
    expect(h.sms.to(FRESH.phone)).toHaveLength(0);
    expect(cd(last(await c.say('重新发送')))).toMatchObject({ key: 'otp.sent.new', otpTarget: 'new' });
    expect(cd(last(await c.say(h.sms.lastCode(FRESH.phone)))).expecting).toBe('confirm');
  });

  test('a notice that fails every attempt does not undo the change; it is audited as not sent', async () => {
    const c = h.conversation();
    await driveTo(h, c, 'confirm');
    h.sms.failNext = 3; // the old number's notice, all attempts; the new number's then goes through
    expect(cd(last(await c.say('确认'))).outcome).toBe('phoneChanged');
    expect(await h.services.bank.boundPhone(ZHANG.card)).toBe(FRESH.phone);
    expect(await count(h, 'notice.failed')).toBe(1);
    expect(await count(h, 'notice.sent')).toBe(1);
  });
});

describe('the http provider against a local fake gateway (the real server)', () => {
  let gateway: FakeGateway;
  let server: TestServer | undefined;
  beforeEach(async () => {
    gateway = await startFakeGateway();
  });
  afterEach(async () => {
    await server?.dispose();
    server = undefined;
    await gateway.close();
  });
  const start = async (env: Record<string, string> = {}) => {
    server = await startTestServer({ SMS_PROVIDER: 'http', SMS_HTTP_URL: gateway.url, ...env });
    return server;
  };
  /**
   * Drives a conversation on the real server to the current number's question: the code is sent as
   * soon as it is given (ZHANG.national).
   */
  async function toOldPhone(client: ExpectRepliesClient): Promise<void> {
    for (const say of ['更换绑定手机号', ZHANG.card, ZHANG.id]) await client.say(say);
  }

  test('works: the code reaches the gateway as the outbox JSON and verifies', async () => {
    const s = await start();
    const client = new ExpectRepliesClient(s.base, 'http-ok');
    await toOldPhone(client);
    expect(cd(last(await client.say(ZHANG.national)))).toMatchObject({ key: 'otp.sent.old', expecting: 'otp' });
    expect(gateway.received).toHaveLength(1);
    expect(gateway.received[0]).toMatchObject({ to: ZHANG.phone, at: expect.stringMatching(/Z$/) });
    const code = codeIn(gateway.received[0]!);
    expect(code).toMatch(/^\d{6}$/);
    expect(cd(last(await client.say(code!))).expecting).toBe('newPhone');
  }, 30_000);

  test('answers 5xx to every attempt: otp.smsFailed, nothing counted; once it is back a resend works at once', async () => {
    const s = await start({ SMS_RETRIES: '1' });
    gateway.answer = () => 'fail';
    const client = new ExpectRepliesClient(s.base, 'http-500');
    await toOldPhone(client);
    expect(cd(last(await client.say(ZHANG.national)))).toMatchObject({ key: 'otp.smsFailed', expecting: 'otp' });
    expect(gateway.received).toHaveLength(2); // the first attempt and one retry, the same code
    expect(gateway.received[1]!.text).toBe(gateway.received[0]!.text);

    gateway.answer = () => 'ok';
    expect(cd(last(await client.say('重新发送')))).toMatchObject({ key: 'otp.sent.old' });
    const code = codeIn(gateway.received.at(-1)!);
    expect(code).not.toBe(codeIn(gateway.received[0]!)); // the failed code was taken back; a new one went out
    expect(cd(last(await client.say(code!))).expecting).toBe('newPhone');
    // The failed code was void: it never verifies (and, as a wrong code, costs nothing more than one try).
  }, 30_000);

  test('times out once: the retry sends the same code again (a duplicate SMS is the documented trade-off)', async () => {
    const s = await start({ SMS_HTTP_TIMEOUT_MS: '500', SMS_RETRIES: '2' });
    gateway.answer = (n) => (n === 1 ? 'hang' : 'ok');
    const client = new ExpectRepliesClient(s.base, 'http-timeout');
    await toOldPhone(client);
    expect(cd(last(await client.say(ZHANG.national)))).toMatchObject({ key: 'otp.sent.old', expecting: 'otp' });
    // The gateway got the message twice (it may deliver both): the same number and text, so the same code.
    expect(gateway.received).toHaveLength(2);
    expect(gateway.received[1]).toMatchObject({ to: gateway.received[0]!.to, text: gateway.received[0]!.text });
    expect(cd(last(await client.say(codeIn(gateway.received[0]!)!))).expecting).toBe('newPhone');
  }, 30_000);

  test('a change: both notices go through the http provider, and no code is in them', async () => {
    const s = await start();
    const client = new ExpectRepliesClient(s.base, 'http-change');
    await toOldPhone(client);
    await client.say(ZHANG.national);
    await client.say(codeIn(gateway.received.at(-1)!)!);
    await client.say(FRESH.national);
    await client.say(codeIn(gateway.received.at(-1)!)!);
    expect(cd(last(await client.say('确认'))).outcome).toBe('phoneChanged');
    const notices = gateway.received.filter(isNotice);
    expect(notices.map((n) => n.to).sort()).toEqual([FRESH.phone, ZHANG.phone].sort());
    for (const n of notices) expect(n.text).not.toMatch(/\d{6}/);
  }, 30_000);
});
