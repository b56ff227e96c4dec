import { TestAdapter, type Activity } from 'botbuilder';
import { createBot } from '../../server/createBot';
import { conversationStorageKey } from '../../services/storage/conversationKey';
import { cd, createHarness, last, type Harness } from '../support/harness';
import { driveTo } from '../support/drive';
import { FRESH, ZHANG } from '../support/demo';

describe('durability and exactly-once', () => {
  let h: Harness;
  afterEach(() => h.dispose());

  test('a restart in the middle loses nothing: state is read back from the store (SQLite, or Redis)', async () => {
    const first = await createHarness({ storage: 'sqlite' });
    const c1 = first.conversation('restart-me');
    await driveTo(first, c1, 'otp');
    const code = first.sms.lastCode(ZHANG.phone);
    first.close();

    // A new process on the same data directory.
    h = await createHarness({
      storage: 'sqlite',
      dataDir: first.dataDir,
      ...(first.redisPrefix ? { redisPrefix: first.redisPrefix } : {}),
      start: first.now() + 10_000,
    });
    const c2 = h.conversation('restart-me');
    expect(cd(last(await c2.say(code))).expecting).toBe('newPhone');
    await c2.say(FRESH.national);
    await c2.say(h.sms.lastCode(FRESH.phone));
    expect(cd(last(await c2.say('确认'))).outcome).toBe('phoneChanged');
    expect(await h.services.bank.boundPhone(ZHANG.card)).toBe(FRESH.phone);
  });

  test('two bots on one store take turns in one conversation: the copy each keeps in memory never hides a newer state written by the other', async () => {
    h = await createHarness({ storage: 'sqlite' });
    // A second bot on the same services (another instance, as far as the store can tell), with its own
    // turn queue and its own conversations held in memory.
    const other = createBot(h.services);
    const adapters = [h.adapter, new TestAdapter((ctx) => other.run(ctx))];
    let n = 0;
    const say = async (turn: number, text: string, id = `two-bots-${n++}`) => {
      const adapter = adapters[turn % 2] as TestAdapter;
      adapter.activeQueue.splice(0);
      await adapter.processActivity({
        type: 'message',
        text,
        id,
        channelId: 'test',
        conversation: { id: 'two-bots', isGroup: false, conversationType: 'personal', name: '' },
        from: { id: 'user-two-bots', name: 'Customer', role: 'user' },
        recipient: { id: 'rebind', name: 'Rebind', role: 'bot' },
        locale: 'zh-CN',
      } as Partial<Activity>);
      return adapter.activeQueue.splice(0);
    };
    const expecting = async (turn: number, text: string) => cd(last(await say(turn, text))).expecting;
    expect(await expecting(0, '更换绑定手机号')).toBe('cardNumber');
    expect(await expecting(1, ZHANG.card)).toBe('idNumber');
    expect(await expecting(0, ZHANG.id)).toBe('oldPhone');
    expect(await expecting(1, ZHANG.national)).toBe('otp');
    expect(await expecting(0, h.sms.lastCode(ZHANG.phone) as string)).toBe('newPhone');
    // The same bot twice in a row (its held copy is current), then the other (its copy is stale).
    expect(await expecting(0, FRESH.national)).toBe('otp');
    expect(await expecting(1, h.sms.lastCode(FRESH.phone) as string)).toBe('confirm');
    // A channel's retry of the confirm reaches the other bot: the same replies, nothing done twice.
    const confirmed = await say(0, '确认', 'two-bots-confirm');
    expect(cd(last(confirmed)).outcome).toBe('phoneChanged');
    const retried = await say(1, '确认', 'two-bots-confirm');
    expect(retried.map((a) => cd(a).key)).toEqual(confirmed.map((a) => cd(a).key));
    expect(retried.map((a) => a.text)).toEqual(confirmed.map((a) => a.text));
    const changes = (await h.services.audit.list()).filter((r) => r.type === 'change.committed');
    expect(changes).toHaveLength(1);
    expect(await h.services.bank.boundPhone(ZHANG.card)).toBe(FRESH.phone);
  });

  test('a retry of an activity answered by an earlier version (its replies stored as rendered) gets those replies as they were', async () => {
    h = await createHarness({ storage: 'sqlite' });
    const c = h.conversation('older-doc');
    await c.say('更换绑定手机号');
    const sent = await c.say(ZHANG.card, 'older-doc-card');
    // The document as an earlier version wrote it: the recent replies rendered, with a marker.
    const key = conversationStorageKey('test/older-doc');
    const doc = (await h.services.storage.read([key]))[key] as { recent: Array<Record<string, unknown>> };
    const older = sent.map((a) => ({ ...a, text: `${a.text ?? ''}（旧版本）` }));
    doc.recent = doc.recent.map((r) => (r.activityId === 'older-doc-card' ? { activityId: r.activityId, replies: older } : r));
    await h.services.storage.write({ [key]: doc });
    const retried = await c.say(ZHANG.card, 'older-doc-card');
    expect(retried.map((a) => a.text)).toEqual(older.map((a) => a.text));
    // And the conversation goes on from where it was.
    expect(cd(last(await c.say(ZHANG.id))).expecting).toBe('oldPhone');
  });

  test('conversation state is encrypted at rest: no card or ID number anywhere in the store', async () => {
    h = await createHarness({ storage: 'sqlite' });
    const c = h.conversation();
    await driveTo(h, c, 'oldPhone');
    const stored = await h.storedText();
    // The conversation's document is there, encrypted (AES-256-GCM, `enc1:`).
    expect(stored).toContain('enc1:');
    expect(stored).not.toContain(ZHANG.card);
    expect(stored).not.toContain(ZHANG.id);
  });

  test('the same activity id sent twice at confirm: one change, one notice to each number, same replies', async () => {
    h = await createHarness();
    const c = h.conversation();
    await driveTo(h, c, 'confirm');
    const first = await c.say('确认', 'confirm-activity');
    const retry = await c.say('确认', 'confirm-activity');
    expect(cd(last(first)).outcome).toBe('phoneChanged');
    expect(retry.map((r) => r.text)).toEqual(first.map((r) => r.text));
    expect((await h.services.audit.list()).filter((r) => r.type === 'change.committed')).toHaveLength(1);
    const notices = (phone: string) => h.sms.to(phone).filter((m) => !/\d{6}/.test(m.text));
    expect(notices(ZHANG.phone)).toHaveLength(1);
    expect(notices(FRESH.phone)).toHaveLength(1);
  });

  test("what the customer says is written with the bot's answer, one write a turn; a turn that fails keeps it all the same", async () => {
    h = await createHarness();
    const c = h.conversation();
    await c.join();
    const transcripts = h.services.transcripts;
    const appended = jest.spyOn(transcripts, 'append');
    const answer = await c.say('我想换绑定的手机号');
    // One write: the bot's lines, after the customer's line held for them.
    expect(appended).toHaveBeenCalledTimes(1);
    const said = (await transcripts.recent(`test/${c.id}`)).map((l) => [l.from, l.text]);
    expect(said.slice(-1 - answer.length)).toEqual([
      ['customer', '我想换绑定的手机号'],
      ...answer.map((a) => ['bot', a.text]),
    ]);

    // The state cannot be saved: the turn fails, and the customer hears so.
    const storage = h.services.storage as unknown as Record<'write' | 'writeOne', (...a: unknown[]) => Promise<unknown>>;
    const save = jest.spyOn(storage, 'writeOne' in storage ? 'writeOne' : 'write').mockRejectedValueOnce(new Error('disk full'));
    const failed = await c.say(ZHANG.card);
    expect(save).toHaveBeenCalled();
    expect(cd(last(failed)).key).toBe('error.turn');
    const lines = await transcripts.recent(`test/${c.id}`);
    expect(lines.at(-1)).toMatchObject({ from: 'customer', text: ZHANG.maskedCard });
    // Written, not only held in memory.
    expect(transcripts.heldLines(`test/${c.id}`)).toBe(0);
  });

  test('a conversation idle past SESSION_IDLE_MINUTES in the middle starts over', async () => {
    h = await createHarness();
    const c = h.conversation();
    await driveTo(h, c, 'oldPhone');
    h.advance(31 * 60_000);
    const replies = await c.say(ZHANG.national);
    expect(cd(replies[0]).key).toBe('session.expired');
  });
});
