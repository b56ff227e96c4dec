import Database from 'better-sqlite3';
import type { Activity } from 'botbuilder';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FRESH, ZHANG } from '../support/demo';
import { spawnBot, type ChildBot } from '../support/childBot';
import { cd, last } from '../support/harness';
import { ExpectRepliesClient } from '../support/httpClient';
import type { OutboxEntry } from '../../services/sms/outboxLine';
import { codeIn, isNotice, startFakeGateway, type FakeGateway } from '../support/fakeSmsGateway';

/*
 * The bot is killed (SIGKILL: no shutdown, no state saved) in the middle of a turn, at the moment its
 * SMS gateway has the message but has not answered. It is started again on the same DATA_DIR and
 * SECRET_KEY, and the channel retries the same activity (same id), as Bot Framework channels do when
 * a POST fails. What the design guarantees is asserted, not what happens to be convenient.
 */

const CONVERSATION = 'crash';

let dataDir: string;
let gateway: FakeGateway;
let bot: ChildBot | undefined;
let ids = 0;

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'rebind-crash-'));
  gateway = await startFakeGateway();
});

afterEach(async () => {
  if (bot) {
    bot.child.kill('SIGKILL');
    await bot.exited;
    bot = undefined;
  }
  await gateway.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** `npm start` on the test's DATA_DIR and a free port, its SMS going to the fake gateway. */
async function startBot(): Promise<ChildBot> {
  bot = await spawnBot(dataDir, {
    SMS_PROVIDER: 'http',
    SMS_HTTP_URL: gateway.url,
    // Long enough that the retry always comes within it, however slow the restart.
    OTP_RESEND_COOLDOWN_SECONDS: '600',
  });
  return bot;
}

/** Kills the bot from inside the gateway: the message is in, the answer never goes out. */
function killBotOn(match: (entry: OutboxEntry) => boolean): void {
  let done = false;
  gateway.answer = (_n, entry) => {
    if (done || !match(entry)) return 'ok';
    done = true;
    bot?.child.kill('SIGKILL');
    return 'hang';
  };
}

const say = (b: ChildBot, text: string, id = `turn-${++ids}`): Promise<Partial<Activity>[]> =>
  new ExpectRepliesClient(b.base, CONVERSATION).say(text, id);

/** Sends a turn the bot dies in: the channel sees the POST fail. */
async function sayAndDie(b: ChildBot, text: string, id: string): Promise<void> {
  const outcome = await say(b, text, id).then(
    () => 'answered',
    () => 'failed',
  );
  await b.exited;
  expect(outcome).toBe('failed');
  expect(b.child.signalCode).toBe('SIGKILL');
  bot = undefined;
}

const lastCodeTo = (phone: string): string => {
  const code = gateway.received.filter((e) => e.to === phone).map(codeIn).filter(Boolean).at(-1);
  if (!code) throw new Error(`no code reached the gateway for ${phone}`);
  return code;
};

/** The stores, read after the bot has stopped. */
function readStores<T>(read: (bank: Database.Database, rebind: Database.Database) => T): T {
  const bank = new Database(join(dataDir, 'bank.sqlite'), { readonly: true });
  const rebind = new Database(join(dataDir, 'rebind.sqlite'), { readonly: true });
  try {
    return read(bank, rebind);
  } finally {
    bank.close();
    rebind.close();
  }
}

test('killed while the first code is at the gateway: the retried activity gets the cooldown reply, no second code, and the first code works', async () => {
  let b = await startBot();
  for (const text of ['更换绑定手机号', ZHANG.card, ZHANG.id]) await say(b, text);
  // The first code goes as soon as the current number is checked.
  killBotOn((e) => codeIn(e) !== undefined);
  await sayAndDie(b, ZHANG.national, 'oldPhone');
  expect(gateway.received).toHaveLength(1);
  const code = codeIn(gateway.received[0]!);

  b = await startBot();
  gateway.answer = () => 'ok';
  const retried = await say(b, ZHANG.national, 'oldPhone');
  // The code was issued (and counted) before the crash; the turn's state was not saved, so the turn
  // runs again, and the resend cooldown holds: "a code was just sent; if it has arrived, enter it".
  expect(cd(last(retried))).toMatchObject({ key: 'otp.cooldown', expecting: 'otp', otpTarget: 'old' });
  expect(gateway.received).toHaveLength(1); // no second code, so no different one

  // The code that reached the gateway before the crash is the live one.
  expect(cd(last(await say(b, code!))).expecting).toBe('newPhone');
  expect(gateway.received).toHaveLength(1);
}, 120_000);

test('killed while the first change notice is at the gateway: the retried confirm gives change.done, one change, each notice at most once', async () => {
  let b = await startBot();
  for (const text of ['更换绑定手机号', ZHANG.card, ZHANG.id, ZHANG.national]) await say(b, text);
  await say(b, lastCodeTo(ZHANG.phone));
  expect(cd(last(await say(b, FRESH.national))).key).toBe('otp.sent.new');
  expect(cd(last(await say(b, lastCodeTo(FRESH.phone)))).expecting).toBe('confirm');

  killBotOn(isNotice);
  await sayAndDie(b, '确认', 'confirm');
  // The change committed, and the old number's notice was at the gateway, when the bot died.
  expect(gateway.received.filter(isNotice).map((e) => e.to)).toEqual([ZHANG.phone]);

  b = await startBot();
  gateway.answer = () => 'ok';
  const retried = await say(b, '确认', 'confirm');
  expect(cd(last(retried))).toMatchObject({ key: 'change.done', outcome: 'phoneChanged' });
  // The channel retrying once more gets the recorded replies; nothing is done again.
  const again = await say(b, '确认', 'confirm');
  expect(again.map((a) => a.text)).toEqual(retried.map((a) => a.text));

  b.child.kill('SIGTERM');
  await b.exited;
  bot = undefined;

  // One change; each notice reached the gateway exactly once: the old number's before the crash (its
  // claim survived the crash, so it is not sent again), the new number's after the restart.
  const notices = gateway.received.filter(isNotice).map((e) => e.to);
  expect(notices.sort()).toEqual([FRESH.phone, ZHANG.phone].sort());
  const stored = readStores((bank, rebind) => {
    const n = (db: Database.Database, sql: string) => (db.prepare(sql).get() as { n: number }).n;
    return {
      changes: bank.prepare('SELECT new_phone FROM phone_changes').all() as Array<{ new_phone: string }>,
      bankAudit: n(bank, "SELECT COUNT(*) AS n FROM bank_audit WHERE type = 'phone.changed'"),
      committed: n(rebind, "SELECT COUNT(*) AS n FROM audit_log WHERE type = 'change.committed'"),
      noticesAudited: n(rebind, "SELECT COUNT(*) AS n FROM audit_log WHERE type = 'notice.sent'"),
      claims: n(rebind, 'SELECT COUNT(*) AS n FROM sent_notices'),
    };
  });
  expect(stored.changes).toEqual([{ new_phone: FRESH.phone }]);
  expect(stored.bankAudit).toBe(1);
  expect(stored.committed).toBe(1);
  expect(stored.claims).toBe(2);
  // Only the new number's notice is known to have been accepted: the old one's answer never came.
  expect(stored.noticesAudited).toBe(1);
}, 120_000);
