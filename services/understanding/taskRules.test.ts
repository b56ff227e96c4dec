import { normalizeText } from './normalizeText';
import { inScope, scopeOf } from './scope';
import {
  asksToChange,
  codeProblem,
  codesToAGoneNumber,
  identityTopic,
  lostPhone,
  numberCompromised,
  stillTheOldNumber,
  unsolicitedCodes,
} from './taskRules';

const n = normalizeText;

describe('scope first', () => {
  test.each([
    ['我想把卡上留的电话换掉', true],
    ['验证码一直不来', true],
    ['my identity check keeps failing', true],
    ['I want a human', true],
    ['定期存款的利率是多少', false],
    ['how long does an international transfer take', false],
    ['my replacement card has not turned up', false],
  ])('%s → in scope: %s', (text, expected) => {
    expect(inScope(scopeOf(n(text)))).toBe(expected);
  });

  test('a number owned by another noun is not a phone number', () => {
    expect(scopeOf(n('what is my card number')).strong).toBe(false);
    expect(scopeOf(n('what is my new number')).strong).toBe(true);
  });

  test('a subject that only touches a topic of ours is soft; a lost card is not', () => {
    expect(scopeOf(n('do I have to do this for each card')).softOnly).toBe(true);
    expect(scopeOf(n('I think my card was stolen')).softOnly).toBe(false);
  });
});

describe('the task before the topic', () => {
  test.each([
    ['请问卡上的联系电话可以改吗', true],
    ['以前的号不用了，卡上的号码咋弄', true],
    ['手机号改了验证码还是发到以前的号', false],
    ['帮我爸换一下他卡上的号码', false],
    ['how can I change the number on my account', true],
    ['I changed my number but the code still goes to the old one', false],
  ])('%s → a change request: %s', (text, expected) => {
    expect(asksToChange(n(text), scopeOf(n(text)))).toBe(expected);
  });
});

test.each([
  ['早就在柜台换了号，怎么付款的短信还发到原来那个', true],
  ['我已经在银行改了预留电话，可是还不行', true],
  ['已经换了号码，想问怎么改卡上的', false],
  ['验证码能不能发到新号上', false],
])('still the old number: %s → %s', (text, expected) => {
  expect(stillTheOldNumber(n(text))).toBe(expected);
});

test.each([
  ['验证码总是提示次数太多', 'otpLimits'],
  ['等了半天验证码还没到', 'otpNotReceived'],
  ['输进去的验证码显示不正确', 'otpWrong'],
  ['the code has expired', 'otpWrong'],
  ['I never got the code', 'otpNotReceived'],
  ['验证码是干什么用的', undefined],
])('code problem: %s → %s', (text, expected) => {
  expect(codeProblem(n(text))).toBe(expected);
});

test.each([
  ['刷脸老是通不过', 'identityFailed'],
  ['为啥非得做实名认证', 'whyVerify'],
  ['实名认证要哪些证件', 'requiredDocuments'],
  ['the app keeps refusing my ID', 'identityFailed'],
  ['why is verification needed', 'whyVerify'],
  ['which documents prove my identity', 'requiredDocuments'],
  ['身份信息会被泄露吗', undefined],
])('identity family: %s → %s', (text, expected) => {
  expect(identityTopic(n(text))).toBe(expected);
});

test('a phone lost or out of reach; a card is not a phone', () => {
  expect(lostPhone(n('someone nicked my phone on the train'))).toBe(true);
  expect(lostPhone(n('I left my mobile in a taxi'))).toBe(true);
  expect(lostPhone(n('my card was stolen'))).toBe(false);
});

test('a number in someone else\'s hands', () => {
  expect(numberCompromised(n('我以前那个号码现在被陌生人拿着用'))).toBe(true);
  expect(numberCompromised(n('a stranger is using my old number now'))).toBe(true);
  expect(numberCompromised(n('my phone fell in the river'))).toBe(false);
  expect(numberCompromised(n('我的号码换了'))).toBe(false);
});

test('codes nobody asked for; codes to a stopped number', () => {
  expect(unsolicitedCodes(n('没有操作却老是收到验证码'))).toBe(true);
  expect(unsolicitedCodes(n('收不到验证码'))).toBe(false);
  expect(codesToAGoneNumber(n('验证码怎么发到停用的旧号码上了'))).toBe(true);
});
