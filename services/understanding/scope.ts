/**
 * Scope first: is a message about this bot's job at all? Real customers ask a bank about top-ups,
 * transfers, cards, loans and fees; those get the honest out-of-scope reply, never a neighbouring
 * topic's answer. A message is in scope when it names what the bot works with (a phone number, a
 * code or SMS, identity checks, a person to talk to) — strong anchors — or, without naming another
 * banking subject, a weaker sign (a frozen account, "the app doesn't recognise me"). Word lists, not
 * a model: they are short, readable, and every entry is a concept, not a sentence.
 */
import type { NormalizedText } from './normalizeText';

const ZH_STRONG = [
  '手机', '电话', '号码', '手机号', '换号', '改号', '新号', '旧号', '原号', '老号', '预留号', '验证码', '校验码', '动态码',
  '认证码', '短信', '身份', '实名', '人脸', '刷脸', '证件', '护照', '人工', '客服', '真人', '坐席', '安全', '诈骗', '骗子',
  '冻结', '骗',
  '泄露', '泄漏', '隐私', '个人信息', '换绑', '改绑', '预留', '停机',
];
const ZH_WEAK = ['锁', '异常', '验证', '认证', '盗', '本人', '几张卡', '多张卡', '两张卡', '每张卡', '好几张', '都要改', '一起改'];
const ZH_OUTSIDE = [
  '借款', '贷款', '借钱', '还款', '额度', '利息', '逾期', '分期', '放款', '下款', '还钱', '转账', '汇款', '转出', '转入',
  '存款', '取款', '取现', '提现', '余额', '理财', '基金', '定期', '活期', '开户', '销户', '账单', '积分', '汇率', '外汇',
  '外币', '保险', '充值', '话费', '支付', '付款', '扣款', '扣费', '手续费', '退款', '订单', '商家', '密码', '挂失', '补卡',
  '换卡', '卡丢', '卡片丢', '卡掉', '卡遗失', '卡丢失', '吞卡', '被吞', '吞了', '网银', '地址', '姓名', '名字', '邮箱', '征信', '交易',
  '信用卡', '寄', '邮寄',
];

/** English anchors, as whole words (stems by prefix where marked with *). */
const EN_STRONG = [
  'phone', 'phones', 'mobile', 'cell', 'cellphone', 'sim', 'sms', 'text', 'texts', 'code', 'codes', 'otp', 'passcode',
  'verify*', 'verif*', 'identity', 'identit*', 'identify', 'identification', 'id', 'passport', 'licence', 'license',
  'human', 'agent', 'person', 'someone', 'somebody', 'representative', 'operator', 'staff', 'bot', 'robot', 'recogni*',
  'myself', 'prove', 'proof', 'documents', 'document', 'documentation', 'kyc', 'selfie',
];
const EN_WEAK = [
  'app', 'locked', 'blocked', 'frozen', 'freeze', 'safe', 'fraud', 'scam', 'personal', 'details', 'info', 'information',
  'several', 'multiple', 'both',
];
const EN_OUTSIDE = [
  'top', 'topup', 'topping', 'transfer*', 'payment*', 'pay', 'paid', 'paying', 'purchase*', 'refund*', 'exchange*',
  'currenc*', 'gbp', 'eur', 'usd', 'aud', 'euro*', 'dollar*', 'pound*', 'card', 'cards', 'pin', 'atm', 'atms', 'cash',
  'withdraw*', 'deposit*', 'balance', 'statement*', 'loan*', 'mortgage*', 'interest', 'overdraft', 'cheque*', 'saving*',
  'isa', 'debit', 'standing', 'apple', 'google', 'contactless', 'virtual', 'deliver*', 'arriv*', 'mail', 'tracking',
  'address', 'surname', 'email', 'e-mail', 'close', 'terminate', 'delete', 'age', 'old', 'country', 'countries', 'abroad',
  'europe', 'eu', 'salary', 'fee', 'fees', 'charge*', 'declined', 'pending', 'invest*', 'crypto', 'spending', 'seller',
  'merchant', 'shop', 'children', 'child', 'wallet',
];

/** Words that name a number which is not a phone number: "card number", "PIN number". */
const NOT_A_PHONE_NUMBER = new Set(['card', 'pin', 'tracking', 'account', 'reference', 'sort', 'routing', 'order']);

/**
 * Subjects that touch a topic of ours (a card, a fee, abroad): out of scope unless the model is sure
 * of the topic ("do I have to do this for each card?"). The other subjects are plainly elsewhere.
 */
const ZH_SOFT = new Set(['信用卡', '手续费', '寄', '邮寄']);
const EN_SOFT = new Set(['card', 'cards', 'fee', 'fees', 'charge', 'charges', 'abroad', 'debit']);
/** A card lost, stolen or on its way is the card's own matter (report it, track it): another subject. */
const CARD_GONE_EN = /\b(lost|stolen|stole|missing|can'?t find)\b|\b(new|replacement|physical)( \w+)? card\b|\bwhere is my( \w+)? card\b/;

export interface Scope {
  /** Names what the bot works with: a phone number, a code, identity, a person. */
  strong: boolean;
  /** A weaker sign of it (a frozen account, the app not recognising the customer). */
  weak: boolean;
  /** Names another banking subject (a loan, a transfer, a card delivery, a PIN …). */
  outside: boolean;
  /** Names only subjects that touch a topic of ours (a card, a fee, abroad). */
  softOnly: boolean;
}

function matcher(words: readonly string[]): (token: string) => boolean {
  const exact = new Set(words.filter((w) => !w.endsWith('*')));
  const prefixes = words.filter((w) => w.endsWith('*')).map((w) => w.slice(0, -1));
  return (token) => exact.has(token) || prefixes.some((p) => token.startsWith(p));
}

const enStrong = matcher(EN_STRONG);
const enWeak = matcher(EN_WEAK);
const enOutside = matcher(EN_OUTSIDE);

/** What a message says about scope. Pure; Chinese by substring, English by whole words. */
export function scopeOf(text: NormalizedText): Scope {
  const { compact, tokens } = text;
  const hasAny = (words: readonly string[]) => words.some((w) => compact.includes(w));
  let strong = text.hanCount > 0 && hasAny(ZH_STRONG);
  let weak = text.hanCount > 0 && hasAny(ZH_WEAK);
  const zhOutside = text.hanCount > 0 ? ZH_OUTSIDE.filter((w) => compact.includes(w)) : [];
  let outside = zhOutside.length > 0;
  let hard = zhOutside.some((w) => !ZH_SOFT.has(w));
  for (let i = 0; i < tokens.length; i++) {
    const t = (tokens[i]?.text ?? '').replace(/'s$/, '');
    if (t === 'number') {
      // "number" is a phone number unless another noun owns it ("card number").
      if (!NOT_A_PHONE_NUMBER.has(tokens[i - 1]?.text ?? '')) strong = true;
      continue;
    }
    if (enStrong(t)) strong = true;
    else if (enWeak(t)) weak = true;
    if (enOutside(t)) {
      outside = true;
      if (!EN_SOFT.has(t)) hard = true;
    }
  }
  if (outside && !hard && CARD_GONE_EN.test(text.text)) hard = true;
  return { strong, weak, outside, softOnly: outside && !hard };
}

/** In scope: a strong anchor, or a weak one with no other subject named. */
export const inScope = (s: Scope): boolean => s.strong || (s.weak && !s.outside);
