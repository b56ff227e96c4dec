/**
 * Transcript replay's own tests: both file forms replay, a changed reply is reported with the index
 * of the activity and the field that differs, volatile fields do not count, real codes in a
 * recording are replaced by fresh ones, and the recorded transcripts hold no code.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  isFromBot,
  normalizeActivity,
  parseTranscript,
  replayTranscript,
  TranscriptFormatError,
  type TranscriptActivity,
} from '../support/transcript';
import { FLOWS } from './record';

const read = (name: string) => readFileSync(join(__dirname, name), 'utf8');
const HAPPY = 'happy-path.zh-CN.transcript';
const happy = () => parseTranscript(read(HAPPY), HAPPY);
/** Index of the first bot activity whose channelData.key is `key`. */
const indexOfKey = (activities: TranscriptActivity[], key: string) =>
  activities.findIndex((a) => isFromBot(a) && (a.channelData as { key?: string } | undefined)?.key === key);

describe('both forms of a transcript file replay', () => {
  test('a JSON array of activities (what the Emulator saves)', async () => {
    const report = await replayTranscript(happy(), { file: HAPPY });
    expect(report).toMatchObject({ sent: 11, codesReplaced: 0 });
    expect(report.compared).toBe(happy().filter(isFromBot).length);
  });

  test('an object with a `transcript` field', async () => {
    const wrapped = parseTranscript(JSON.stringify({ transcript: JSON.parse(read(HAPPY)) }), 'wrapped.transcript');
    expect(wrapped).toEqual(happy());
    const report = await replayTranscript(wrapped, { file: 'wrapped.transcript' });
    expect(report.compared).toBeGreaterThan(10);
  });
});

describe('a difference is reported with the activity and the field', () => {
  test('a changed key', async () => {
    const activities = happy();
    const i = indexOfKey(activities, 'ask.idNumber');
    (activities[i]!.channelData as Record<string, unknown>).key = 'ask.somethingElse';
    const replay = replayTranscript(activities, { file: 'x.transcript' });
    await expect(replay).rejects.toThrow(`x.transcript: activity [${i}], the bot's reply 1 to [${i - 1}]`);
    await expect(replayTranscript(activities, { file: 'x.transcript' })).rejects.toThrow(
      'channelData.key: recorded "ask.somethingElse", replayed "ask.idNumber"',
    );
  });

  test('changed wording and a missing button', async () => {
    const activities = happy();
    const i = indexOfKey(activities, 'welcome.greeting');
    activities[i]!.text = 'Hello';
    await expect(replayTranscript(activities, { file: 'x.transcript' })).rejects.toThrow(/differs:\n {2}text: recorded "Hello", replayed "您好/);
    const again = happy();
    again[i]!.suggestedActions!.actions.pop();
    await expect(replayTranscript(again, { file: 'x.transcript' })).rejects.toThrow('suggestedActions[2].title: recorded nothing, replayed "转人工客服"');
  });

  test('a reply too many or too few', async () => {
    const fewer = happy();
    const i = indexOfKey(fewer, 'flow.intro');
    fewer.splice(i, 1);
    await expect(replayTranscript(fewer, { file: 'x.transcript' })).rejects.toThrow(
      /x\.transcript: the bot's replies to \[3\] \(the customer's message "我想更换银行卡绑定的手机号"\): recorded 1, replayed 2\n {2}recorded: \[4\] ask\.cardNumber.*\n {2}replayed: flow\.intro .* \| ask\.cardNumber/,
    );
    const more = happy();
    more.splice(i, 0, { ...more[i]! });
    await expect(replayTranscript(more, { file: 'x.transcript' })).rejects.toThrow(/the bot's replies to \[3\] .*: recorded 3, replayed 2/);
  });
});

describe('normalising', () => {
  test('ids, times, addresses and ticket numbers do not count', () => {
    const [a] = happy().filter(isFromBot);
    const b: TranscriptActivity = {
      ...a!,
      id: 'other',
      timestamp: '2030-01-01T00:00:00.000Z',
      localTimestamp: '2030-01-01T08:00:00+08:00',
      serviceUrl: 'https://elsewhere',
      channelId: 'directline',
      conversation: { id: 'c2' },
      from: { id: 'b2', name: 'Rebind', role: 'bot' },
      recipient: { id: 'u2', role: 'user' },
      replyToId: 'r2',
      suggestedActions: { to: ['u2'], actions: a!.suggestedActions!.actions },
    };
    expect(normalizeActivity(b)).toEqual(normalizeActivity(a!));
    const ticket = (t: string): TranscriptActivity => ({
      type: 'message',
      text: `服务编号：${t}`,
      channelData: { key: 'handoff.queued', handoff: { status: 'waiting', ticket: t } },
    });
    expect(normalizeActivity(ticket('H12345678'))).toEqual(normalizeActivity(ticket('HABCDEFGH')));
  });
});

describe('codes', () => {
  test('a recording with the real codes typed (as the Emulator saves it) gets the fresh codes; a refused one stays', async () => {
    const name = 'wrong-code-then-success.transcript';
    const typed = parseTranscript(read(name).split('"{{code}}"').join('"123456"'), name);
    expect(typed.filter((a) => !isFromBot(a) && a.text === '123456')).toHaveLength(2);
    const report = await replayTranscript(typed, { file: name });
    expect(report.codesReplaced).toBe(2);
  });

  test('the recorded transcripts hold no code: the customer\'s codes are {{code}} placeholders', () => {
    for (const file of readdirSync(__dirname).filter((f) => f.endsWith('.transcript'))) {
      for (const a of parseTranscript(read(file), file)) {
        if (isFromBot(a) || typeof a.text !== 'string') continue;
        // Six digits typed are either a placeholder or the deliberately wrong 000000.
        if (/^\s*\d{6}\s*$/.test(a.text)) expect(`${file}: ${a.text}`).toBe(`${file}: 000000`);
      }
    }
  });
});

test('every main flow has its recorded transcript', () => {
  const files = readdirSync(__dirname).filter((f) => f.endsWith('.transcript'));
  for (const name of Object.keys(FLOWS)) expect(files).toContain(`${name}.transcript`);
});

describe('a file that is no transcript', () => {
  test.each([
    ['not JSON', '[{', 'x.transcript: not JSON'],
    ['neither an array nor { transcript }', '{"activities": []}', 'x.transcript: not a transcript'],
    ['an activity without a type', '[{"text": "hi"}]', '[0].type'],
  ])('%s', (_what, text, problem) => {
    expect(() => parseTranscript(text, 'x.transcript')).toThrow(TranscriptFormatError);
    expect(() => parseTranscript(text, 'x.transcript')).toThrow(problem);
  });
});
