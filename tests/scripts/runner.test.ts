/**
 * The script runner's own tests: a wrong expectation fails the turn it is on, by name, with what
 * differs; later turns are not run; every kind of expectation can fail; a malformed script names its
 * file and the bad field. The runner's core is called directly (no jest inside jest).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseScript, runScript, ScriptFormatError, ScriptRun } from '../support/script';
import { createCatalog } from '../../content';

const FILE = 'tests/scripts/inline.yaml';
const script = (yaml: string) => parseScript(yaml, FILE);

/** Plays a one-script YAML and returns the reports of its turns. */
const play = (yaml: string) => runScript(script(yaml), { file: FILE });

describe('a failing turn', () => {
  test('is reported by its name with what differs; the turns after it are not run', async () => {
    const reports = await play(`
name: deliberately wrong
turns:
  - say: 更换绑定手机号
    expect: { expecting: cardNumber }
  - say: "{{customer.card}}"
    expect: { key: ask.idNumber }
  - say: "{{customer.idNumber}}"
    expect: { key: ask.newPhone, expecting: newPhone }
  - say: "{{customer.phone}}"
    expect: { expecting: otp }
`);
    expect(reports.map((r) => r.status)).toEqual(['passed', 'passed', 'failed', 'not run']);
    const failed = reports[2]!;
    expect(failed.title).toBe('turn 3: say "{{customer.idNumber}}" → ask.newPhone, expecting newPhone');
    expect(failed.message).toContain(`turn 3: say "{{customer.idNumber}}" → ask.newPhone, expecting newPhone (${FILE}, "deliberately wrong")`);
    expect(failed.message).toContain('key: expected "ask.newPhone", got "ask.oldPhone"');
    expect(failed.message).toContain('expecting: expected "newPhone", got "oldPhone"');
    // What was sent and what came back, one line per reply.
    expect(failed.message).toContain('sent: "11010519491231002X"');
    expect(failed.message).toMatch(/1\. ask\.oldPhone {2}intent=inform {2}expecting=oldPhone/);
    expect(reports[3]!.message).toMatch(/^not run: turn 3 failed \(last reply \(1 of 1\): key: expected "ask.newPhone"/);
  });

  test('a turn played out of order plays the ones before it first; after a failure the rest throw "not run"', async () => {
    const run = new ScriptRun(
      script(`
name: order
turns:
  - say: 更换绑定手机号
  - say: "{{customer.card}}"
    expect: { expecting: oldPhone }
  - say: "{{customer.idNumber}}"
`),
    );
    await run.start();
    try {
      await expect(run.play(2)).rejects.toThrow(/^not run: turn 2 failed \(last reply \(1 of 1\): expecting: expected "oldPhone", got "idNumber"\)/);
      await expect(run.play(1)).rejects.toThrow('not run: turn 2 failed');
    } finally {
      run.dispose();
    }
  });
});

const START = '  - say: 更换绑定手机号\n';
const JOIN = '  - join: true\n';
const AGENT = '  - say: 转人工\n';

/** [what is checked, the turns, a problem the runner must report] */
// Button labels as the catalogue has them, written the way the runner quotes them.
const catalog = createCatalog({ strict: true });
const label = (name: string) => catalog.render('zh-CN', `button.${name}`);
const J = (value: unknown) => JSON.stringify(value);
const [CHANGE, FAQ, AGENT_LABEL] = [label('changePhone'), label('faq'), label('agent')];
const MENU = J([CHANGE, FAQ, AGENT_LABEL]);

const wrong: Array<[string, string, string]> = [
  ['expecting', `${START}    expect: { expecting: idNumber }`, 'last reply (2 of 2): expecting: expected "idNumber", got "cardNumber"'],
  ['intent', `${START}    expect: { intent: faq }`, 'intent: expected "faq", got "changePhone"'],
  ['faqId', `${START}    expect: { faqId: help }`, 'faqId: expected "help", got nothing'],
  ['a field that must be absent', `${START}    expect: { intent: null }`, 'intent: expected none, got "changePhone"'],
  ['a field that must be present', `${START}    expect: { outcome: "*" }`, 'outcome: expected a value, got nothing'],
  ['reason', `${START}  - say: x\n    expect: { reason: empty }`, 'reason: expected "empty", got "notDigits"'],
  ['otpTarget', `${START}    expect: { otpTarget: old }`, 'otpTarget: expected "old", got nothing'],
  ['inputHint', `${START}    expect: { inputHint: acceptingInput }`, 'inputHint: expected "acceptingInput", got "expectingInput"'],
  ['locale', `${START}    expect: { locale: en-US }`, 'locale: expected "en-US", got "zh-CN"'],
  ['count', `${START}    expect: { count: 1 }`, 'expected 1 reply, got 2'],
  ['the list form: how many', `${START}    expect: [{ key: flow.intro }]`, 'expected 1 reply, got 2'],
  ['the list form: in order', `${START}    expect: [{ key: ask.cardNumber }, { key: flow.intro }]`, 'reply 1: key: expected "ask.cardNumber", got "flow.intro"'],
  ['each', `${START}    expect: { each: { expecting: cardNumber } }`, 'reply 1: expecting: expected "cardNumber", got nothing'],
  ['some', `${START}    expect: { some: { key: ask.idNumber } }`, 'no reply matches {"key":"ask.idNumber"}'],
  ['buttons, exactly', `${JOIN}    expect: { buttons: [changePhone, faq] }`, `buttons: expected ${J([CHANGE, FAQ])}, got ${MENU}`],
  ['buttons, contains', `${JOIN}    expect: { buttons: { contains: [cancel] } }`, `buttons: expected ${J(label('cancel'))} among ${MENU}`],
  ['buttons, lacks', `${JOIN}    expect: { buttons: { lacks: [agent] } }`, `buttons: expected no ${J(AGENT_LABEL)}`],
  ['text, a pattern', `${START}    expect: { text: "^Hello" }`, 'text: expected to match ^Hello'],
  ['text, /pattern/flags', `${START}    expect: { text: "/^PLEASE/i" }`, 'text: expected to match /^PLEASE/i'],
  ['text, contains (placeholders resolved)', `${START}    expect: { text: { contains: "{{masked.card}}" } }`, 'text: expected to contain "6222 **** **** 0128"'],
  ['text, notMatch', `${START}    expect: { text: { notMatch: "卡号" } }`, 'text: expected not to match 卡号'],
  ['text, lacks', `${START}    expect: { text: { lacks: 银行卡 } }`, 'text: expected not to contain "银行卡"'],
  ['handoff', `${AGENT}    expect: { handoff: { position: 2 } }`, 'handoff: expected {"position":2} within, got {"status":"waiting"'],
  ['after: boundPhone', `${START}    after: { boundPhone: "{{newPhone}}" }`, 'after: bound number: expected +8618612345678, got "+8613800138000"'],
  ['after: sms', `${START}    after: { sms: { old: 1 } }`, 'after: SMS to old: expected 1, got 0'],
  ['after: queue', `${AGENT}    after: { queue: { reason: complaint } }`, 'after: queue: reason: expected complaint, got customerRequest'],
  ['after: queue, none', `${AGENT}    after: { queue: { reason: null } }`, 'after: queue: expected no open ticket'],
  ['after: feedback', `${START}    after: { feedback: [{ faqId: fees, helpful: 1, notHelpful: 0 }] }`, 'after: feedback: expected [{"faqId":"fees","helpful":1,"notHelpful":0}], got []'],
  ['press: a button that is not there', '  - press: agent', `no button ${J(AGENT_LABEL)} on screen`],
];

describe('every kind of expectation can fail', () => {
  test.each(wrong)('%s', async (_what, turns, problem) => {
    const reports = await play(`name: wrong\nturns:\n${turns}\n`);
    const failed = reports.find((r) => r.status === 'failed');
    expect(failed?.message).toContain(problem);
  });

  test('the wording a key renders to, with params', async () => {
    const reports = await play(`
name: params
turns:
  - say: 更换绑定手机号
  - say: "{{customer.card}}"
  - say: "{{customer.idNumber}}"
  - say: "{{customer.phone}}"
  - say: "{{wrongCode}}"
    expect: { key: otp.wrong, params: { phone: "{{masked.phone}}", attemptsLeft: 3 } }
`);
    expect(reports.at(-1)?.message).toContain('text: expected otp.wrong with {"phone":"138****8000","attemptsLeft":3}');
  });

  test('a reply the bot failed on (error.*) fails the turn, with the logged error, unless the script expects it', async () => {
    // A topic with no answer in the catalogue makes the turn fail.
    const setup = 'setup: { recognize: { boom: { intent: faq, faqId: noSuchTopic } } }';
    const [failed] = await play(`name: boom\n${setup}\nturns:\n  - say: boom\n`);
    expect(failed?.message).toContain('reply 1: the bot failed (error.turn)');
    expect(failed?.message).toContain("message 'faq.noSuchTopic' is missing");
    const [expected] = await play(`name: boom\n${setup}\nturns:\n  - say: boom\n    expect: { key: error.turn }\n`);
    expect(expected?.status).toBe('passed');
  });

  test('a reply that shows the customer\'s details whole fails the turn', async () => {
    // An "ID number" the bot says anyway stands in for a leaked one.
    const [failed] = await play(`
name: leak
setup: { customer: { card: "6222021234567890128", idNumber: 银行卡, phone: "13800138000" } }
turns:
  - say: 更换绑定手机号
`);
    expect(failed?.message).toContain('reply 2: shows a full number');
  });
});

test('the example in tests/scripts/README.md runs', async () => {
  const readme = readFileSync(join(__dirname, 'README.md'), 'utf8');
  const example = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const reports = await runScript(parseScript(example, 'tests/scripts/README.md'));
  expect(reports.length).toBeGreaterThan(5);
  expect(reports.filter((r) => r.status !== 'passed')).toEqual([]);
});

describe('a malformed script names its file and the bad field', () => {
  const bad = (yaml: string): string => {
    try {
      parseScript(yaml, FILE);
    } catch (error) {
      expect(error).toBeInstanceOf(ScriptFormatError);
      return (error as Error).message;
    }
    throw new Error('the script loaded');
  };

  test.each([
    ['an unknown field', 'name: x\nturns:\n  - say: a\n    expect: { expectin: otp }', 'turns[0].expect (turn 1): Unrecognized key: "expectin"'],
    ['a value that is not one of the documented', 'name: x\nturns:\n  - say: a\n  - say: b\n    expect: { expecting: code }', 'turns[1].expect.expecting (turn 2): Invalid option'],
    ['an unknown placeholder', 'name: x\nturns:\n  - say: "{{customer.pin}}"', 'turns[0].say (turn 1): unknown placeholder {{customer.pin}}'],
    ['an unknown setting', 'name: x\nsetup: { config: { OTP_MAX: 3 } }\nturns:\n  - say: a', 'setup.config.OTP_MAX: unknown setting OTP_MAX'],
    ['an unknown customer', 'name: x\nsetup: { customer: bob }\nturns:\n  - say: a', 'setup.customer: Invalid option'],
    ['two actions in a turn', 'name: x\nturns:\n  - say: a\n    press: b', 'turns[0] (turn 1): one action per turn, got say and press'],
    ['params without a key', 'name: x\nturns:\n  - say: a\n    expect: { params: { n: 1 } }', 'turns[0].expect.params (turn 1): `params` needs the `key` it renders'],
    ['a bad duration', 'name: x\nturns:\n  - advance: 5 minutes', 'turns[0].advance (turn 1): a duration like 90s'],
    ['no name', 'turns:\n  - say: a', 'name: Invalid input'],
    ['no turns', 'name: x\nturns: []', 'turns: Too small'],
    ['YAML that does not parse', 'name: x\nturns:\n  - say: a\n    say: b', 'Map keys must be unique at line 4'],
  ])('%s', (_what, yaml, problem) => {
    const message = bad(yaml);
    expect(message.startsWith(`${FILE}:`)).toBe(true);
    expect(message).toContain(problem);
  });
});
