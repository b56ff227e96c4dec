import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstReply, offlineMachine, routeOf } from '../../bot/firstReply';
import { changePhoneMachine } from '../../dialogs/changePhone';
import type { Recognition, Recognizer } from '../../domain/recognizer';
import { loadNluDev, scoreFirstReplies } from '../../scripts/nluDevCorpus';

/** A recogniser that answers from a table, so the scoring is tested through the real chart. */
const pinned = (table: Record<string, Recognition>): Recognizer => ({
  recognize: (text) => table[text] ?? { intent: 'none' },
});
const machine = offlineMachine(changePhoneMachine);

test('the route of a first reply is what the chart acted on: intent, or faq:<id>', async () => {
  const r = pinned({
    换号: { intent: 'changePhone' },
    收不到: { intent: 'faq', faqId: 'otpNotReceived' },
    哪个: { intent: 'faq', faqId: 'otpWrong', candidates: ['otpWrong', 'otpLimits'] },
    人工: { intent: 'handoff' },
    号码被人用了: { intent: 'compromised' },
    你好: { intent: 'greeting' },
  });
  const route = async (text: string) => routeOf(await firstReply(machine, r, text, 'zh-CN'));
  expect(await route('换号')).toBe('changePhone');
  expect(await route('收不到')).toBe('faq:otpNotReceived');
  expect(await route('哪个')).toBe('faq:which');
  expect(await route('人工')).toBe('handoff');
  expect(await route('号码被人用了')).toBe('handoff');
  expect(await route('你好')).toBe('greeting');
  expect(await route('天气')).toBe('none');
  // English: the first reply is in English, the route the same.
  expect((await firstReply(machine, r, '换号', 'en-US'))?.key).toBe('flow.intro');
});

test('a row is right when its route is in accept; per language, per route, confusions and "which topic?"', async () => {
  const r = pinned({
    a: { intent: 'changePhone' },
    b: { intent: 'faq', faqId: 'fees' },
    c: { intent: 'faq', faqId: 'otpWrong', candidates: ['otpWrong', 'otpLimits'] },
    d: { intent: 'none' },
  });
  const report = await scoreFirstReplies(
    [
      { locale: 'zh-CN', text: 'a', accept: ['changePhone', 'faq:updateDelay'] },
      { locale: 'zh-CN', text: 'b', accept: ['none', 'handoff'] },
      { locale: 'en-US', text: 'c', accept: ['faq:otpWrong'] },
      { locale: 'en-US', text: 'd', accept: ['none', 'handoff'] },
    ],
    machine,
    r,
  );
  expect(report).toMatchObject({ total: 4, accuracy: 0.5, which: 1, whichRate: 0.25 });
  expect(report.byLocale['zh-CN']).toMatchObject({ correct: 1, total: 2 });
  expect(report.byLocale['en-US']).toMatchObject({ correct: 1, total: 2, which: 1 });
  expect(report.byRoute['none']).toMatchObject({ correct: 1, total: 2 });
  expect(report.confusions).toEqual(
    expect.arrayContaining([
      { expected: 'none', got: 'faq:fees', count: 1 },
      { expected: 'faq:otpWrong', got: 'faq:which', count: 1 },
    ]),
  );
});

test('the corpus is read from its folder, and is simply absent when the folder is not there', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nlu-dev-'));
  try {
    expect(loadNluDev(join(dir, 'missing'))).toBeUndefined();
    writeFileSync(join(dir, 'zh.jsonl'), '{"text":"甲","accept":["changePhone"],"source":"x"}\n');
    writeFileSync(join(dir, 'en.jsonl'), '{"text":"b","accept":["none","handoff"],"source":"y"}\n\n');
    expect(loadNluDev(dir)).toEqual([
      { locale: 'zh-CN', text: '甲', accept: ['changePhone'] },
      { locale: 'en-US', text: 'b', accept: ['none', 'handoff'] },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
