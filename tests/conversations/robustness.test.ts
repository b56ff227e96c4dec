import { cd, createHarness, RATE_LIMITS_OFF, type Harness } from '../support/harness';
import { FRESH, LI, ZHANG } from '../support/demo';

let h: Harness;
beforeEach(async () => {
  // Hundreds of messages a minute from one conversation is exactly what the rate limits stop
  // (tests/conversations/rateLimits.test.ts); this walk is about the chart, so they are off.
  h = await createHarness({ env: RATE_LIMITS_OFF });
});
afterEach(() => h.dispose());

/** A small seeded generator: the same run every time, so a failure can be replayed. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('a long random conversation never breaks a turn and never shows a secret', async () => {
  const random = seeded(20261128);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const say = [
    '更换绑定手机号', ZHANG.card, ZHANG.id, ZHANG.national, LI.id, LI.national, FRESH.national, '能收到', '收不到',
    '确认', '取消', '重新开始', '帮助', '转人工', '我要投诉', '验证码多久有效', '要收费吗', '重新发送', '123456',
    '000000', '不对，卡号是 6225881234567898', `从${ZHANG.national}换成${FRESH.national}`, '', '   ', '😀', '<b>x</b>',
    'x'.repeat(5000), '１３８００１３８０００', '我的密码是 123456', 'CVV 321', 'yes', 'no', 'cancel', 'help', '你好', '谢谢',
  ];
  const c = h.conversation('fuzz');
  const secrets = [ZHANG.card, ZHANG.id, LI.id, ZHANG.national, LI.national, FRESH.national];
  const seen = new Set<string>();
  let expecting: string | undefined;
  // The right answer to each question, so the walk also goes deep into the flow.
  const right = (): string | undefined => {
    const lastCode = /(\d{6})/.exec(h.sms.sent.at(-1)?.text ?? '')?.[1];
    const answers: Record<string, string | undefined> = {
      cardNumber: ZHANG.card,
      idNumber: ZHANG.id,
      oldPhone: ZHANG.national,
      oldPhoneReachable: '能收到',
      otp: lastCode,
      newPhone: FRESH.national,
      confirm: '确认',
    };
    return expecting ? answers[expecting] : '更换绑定手机号';
  };
  for (let i = 0; i < 300; i += 1) {
    const text = (random() < 0.6 ? right() : undefined) ?? pick(say);
    if (random() < 0.05) h.advance(pick([30_000, 61_000, 6 * 60_000, 31 * 60_000]));
    const replies = await c.say(text);
    expect(replies.length).toBeGreaterThan(0);
    expecting = cd(replies.at(-1)).expecting as string | undefined;
    for (const r of replies) {
      seen.add(String(cd(r).key));
      expect(cd(r).key).not.toBe('error.turn');
      for (const s of secrets) expect(r.text ?? '').not.toContain(s);
      if (cd(r).expecting) expect(r.inputHint).toBe('expectingInput');
    }
  }
  // The walk went deep: questions, codes and endings, not just the welcome menu.
  for (const key of ['ask.idNumber', 'otp.sent.old', 'otp.sent.new', 'ask.confirm', 'cancel.done', 'handoff.queued']) {
    expect(seen).toContain(key);
  }
});
