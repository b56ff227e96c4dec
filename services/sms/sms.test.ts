import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SmsError } from './index';
import { createConsoleSms } from './console';
import { createSmsGateway } from './createSmsGateway';
import { createOutboxSms, readOutbox } from './outbox';

const AT = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
const clock = () => AT;

describe('SMS gateways', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rebind-sms-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('outbox writes exact JSON lines, creating the directory', async () => {
    const path = join(dir, 'nested', 'deeper', 'outbox.jsonl');
    const sms = createOutboxSms({ path, clock });
    await sms.send({ to: '+8613800138000', text: '验证码 123456，5 分钟内有效。' });
    await sms.send({ to: '+8613900139000', text: 'line "two"\nwith newline' });
    expect(readFileSync(path, 'utf8')).toBe(
      '{"to":"+8613800138000","text":"验证码 123456，5 分钟内有效。","at":"2024-01-02T03:04:05.678Z"}\n' +
        '{"to":"+8613900139000","text":"line \\"two\\"\\nwith newline","at":"2024-01-02T03:04:05.678Z"}\n',
    );
  });

  it('readOutbox round-trips and returns [] for a missing file', async () => {
    const path = join(dir, 'outbox.jsonl');
    expect(readOutbox(path)).toEqual([]);
    const sms = createOutboxSms({ path, clock });
    await sms.send({ to: '+8613800138000', text: 'a' });
    await sms.send({ to: '+8613800138000', text: 'b' });
    expect(readOutbox(path)).toEqual([
      { to: '+8613800138000', text: 'a', at: '2024-01-02T03:04:05.678Z' },
      { to: '+8613800138000', text: 'b', at: '2024-01-02T03:04:05.678Z' },
    ]);
  });

  it('readOutbox leaves out a last line still being written', () => {
    const path = join(dir, 'outbox.jsonl');
    writeFileSync(path, '{"to":"+8613800138000","text":"a","at":"x"}\n{"to":"+86138');
    expect(readOutbox(path)).toEqual([{ to: '+8613800138000', text: 'a', at: 'x' }]);
  });

  it('concurrent sends each land on their own line', async () => {
    const path = join(dir, 'outbox.jsonl');
    const sms = createOutboxSms({ path, clock });
    await Promise.all(Array.from({ length: 50 }, (_, i) => sms.send({ to: '+8613800138000', text: `m${i}` })));
    expect(readOutbox(path).map((e) => e.text).sort()).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`).sort());
  });

  it('sends made while a write is under way are written together, in the order they came', async () => {
    const path = join(dir, 'outbox.jsonl');
    const sms = createOutboxSms({ path, clock });
    const first = sms.send({ to: '+8613800138000', text: 'first' });
    const rest = Array.from({ length: 20 }, (_, i) => sms.send({ to: '+8613800138000', text: `m${i}` }));
    await first;
    // The first went out alone; the others were still waiting for it.
    expect(readOutbox(path).map((e) => e.text)).toEqual(['first']);
    await Promise.all(rest);
    expect(readOutbox(path).map((e) => e.text)).toEqual(['first', ...Array.from({ length: 20 }, (_, i) => `m${i}`)]);
  });

  it('a failed write fails every send it held, and the next write is tried afresh', async () => {
    const blocker = join(dir, 'file');
    writeFileSync(blocker, 'not a directory');
    const path = join(blocker, 'outbox.jsonl');
    const sms = createOutboxSms({ path, clock });
    const sends = [1, 2, 3].map((i) => sms.send({ to: '+8613800138000', text: `m${i}` }).catch((e: unknown) => e));
    for (const error of await Promise.all(sends)) expect(error).toBeInstanceOf(SmsError);
    rmSync(blocker);
    await sms.send({ to: '+8613800138000', text: 'after' });
    expect(readOutbox(path).map((e) => e.text)).toEqual(['after']);
  });

  it('an unwritable path rejects with SmsError carrying the cause', async () => {
    const blocker = join(dir, 'file');
    writeFileSync(blocker, 'not a directory');
    const sms = createOutboxSms({ path: join(blocker, 'outbox.jsonl'), clock });
    const error: unknown = await sms.send({ to: '+8613800138000', text: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmsError);
    // Node's fs errors come from another realm under jest: check the code, not the class.
    expect((error as SmsError).cause).toMatchObject({ code: expect.stringMatching(/^E[A-Z]+$/) });
  });

  it('a number that is not E.164 is refused', async () => {
    const path = join(dir, 'outbox.jsonl');
    const sms = createOutboxSms({ path, clock });
    await expect(sms.send({ to: '13800138000', text: 'x' })).rejects.toBeInstanceOf(SmsError);
    expect(readOutbox(path)).toEqual([]);
  });

  it('console prints the same JSON line; a failing write is an SmsError', async () => {
    const lines: string[] = [];
    await createConsoleSms({ write: (l) => lines.push(l), clock }).send({ to: '+8613800138000', text: 'hi' });
    expect(lines).toEqual(['{"to":"+8613800138000","text":"hi","at":"2024-01-02T03:04:05.678Z"}']);
    const broken = createConsoleSms({
      write: () => {
        throw new Error('EPIPE');
      },
    });
    await expect(broken.send({ to: '+8613800138000', text: 'hi' })).rejects.toBeInstanceOf(SmsError);
  });

  it('createSmsGateway picks the provider', async () => {
    const path = join(dir, 'outbox.jsonl');
    await createSmsGateway({ provider: 'outbox', outboxPath: path }, { clock }).send({ to: '+8613800138000', text: 'o' });
    expect(readOutbox(path)).toEqual([{ to: '+8613800138000', text: 'o', at: '2024-01-02T03:04:05.678Z' }]);

    const spy = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await createSmsGateway({ provider: 'console', outboxPath: path }, { clock }).send({ to: '+8613800138000', text: 'c' });
      expect(spy).toHaveBeenCalledWith('{"to":"+8613800138000","text":"c","at":"2024-01-02T03:04:05.678Z"}\n');
    } finally {
      spy.mockRestore();
    }
    expect(readOutbox(path)).toHaveLength(1);
  });
});
