/**
 * Rules for what a customer asks to do, read before the model's topic. Each is a pattern of
 * concepts (change + phone number, "changed already" + "still the old one", identity + failure), not
 * a sentence; the evaluation on real customer messages (`npm run eval:nlu`) is why each is here.
 */
import type { NormalizedText } from './normalizeText';
import type { Scope } from './scope';

/**
 * The task before the topic: asking how, whether or where to change the number is `changePhone`
 * whatever the phrasing, unless the message names a specific problem (codes not arriving, still
 * the old number after a change, a failed check …).
 */
const CHANGE_ZH = /(换|改|变更|更新|修改|更换|变了|换了|改成|换成|跟换|变动)/;
const PHONE_ZH = /(手机|电话|号码|手机号|预留号|新号|旧号|换号|改号)/;
/**
 * What makes a change request a question about something specific: a problem (codes, still the old
 * number, a failed check, a rejected number), someone else's card, a notice, a foreign number, an
 * undo, several cards, or a topic of its own (documents, fees, how long, where). A number that is
 * stopped or lost is not one: "旧号码注销了，怎么改绑定的号码" asks for the change (and the flow then
 * asks whether the number still gets SMS).
 */
const PROBLEM_ZH =
  /(收不到|没收到|接收不到|获取不|发不|还是|仍然|依然|怎么还|为什么还|失败|不了|不能改|改不|换不|报错|不可用|不能用|无法|不支持|占用|人脸|身份|冻结|锁|被盗|被别人|别人在用|信用卡|妈|爸|老公|老婆|家人|老人|孩子|儿子|女儿|别人|替|代办|短信说|通知|提示|国际|国外|境外|海外|改错|换错|改回|换回|撤销|几张|多张|全部|准备|材料|带什么|要带|证件|资料|收费|费用|手续费|多少钱|要钱|多久|多长时间|生效|渠道|网点|柜台|营业厅|差评|投诉|浪费|没改好|太慢|找不到|靠谱|骗|自称|输错|填错|成功)/;
const NUMBER_GONE_ZH = /(不用了|停用|停机|注销|销号|不在用|作废)/;
const WHAT_NOW_ZH = /(咋弄|咋整|咋办|怎么办|怎么弄|如何处理|怎么处理|怎么操作)/;
const CHANGE_EN = /\b(change|changing|changed|update|updating|updated|switch|replace|new)\b/;
const PHONE_EN = /\b(phone|mobile|cell|number|sim)\b/;
const PROBLEM_EN =
  /\b(code|codes|sms|text|still|lost|stolen|stole|fail|failed|verify|identity|credit card|someone else|taken over|hacked|mom|mum|dad|mother|father|son|daughter|husband|wife|parent|parents|behalf|his|her|him|says|said|notification|alert|wasn'?t me|accepted|rejected|invalid|error|international|foreign|overseas|abroad|back|undo|mistake|wrong|several|multiple|both|all my|each)\b/;

/**
 * Changed already, yet the old number is still used ("已经改了，验证码还是发到原来的号"): the
 * updateDelay topic, however the model leans.
 */
const ALREADY_CHANGED_ZH =
  /((已经|早就|早已|已|都|刚|去银行|在银行|柜台|营业厅).{0,8}(换|改|变更|更改|更换|修改|更新)|(改|换|变更|更改|更换|修改|更新)(好|完|过|了))/;
const STILL_OLD_ZH = /(还是|仍然|依然|仍|还在|总是|老是|一直|总|还)[^，。？！,?!]{0,14}(以前|原来|之前|旧|老|原|过去)/;
const SENT_TO_OLD_ZH = /(发|到|往|显示).{0,10}(以前|原来|之前|旧|老|原先|过去)|(以前|原来|之前|旧|老|原先).{0,10}(发|显示)/;
const CODE_ZH = /(验证码|短信|动态码|校验码|验证)/;
/** The number the code goes to is not the customer's own now ("和现在的不一样"). */
const NOT_THE_SAME_ZH = /(不一样|不是(我|银行|预留|现在)|不同|不符|不一致|对不上)/;
/** …but not when the old number is gone or the customer asks how to change it (oldNumberLost, changePhone). */
const OLD_GONE_ZH = /(不用了|不用的|不在用|停用|停机|停了|注销|丢|收不到|没收到|接收不到|怎么(更改|改|换|修改)|如何(更改|改|换|修改))/;
/** Asking how to change, not reporting a change: changePhone ("已经换了号，怎么改卡上的"). */
const ASKS_HOW_ZH = /(怎么|如何|咋|能不能|可以|可不可以|要不要|需要)(更改|修改|改|换|更换|变更|弄|办|整)/;

/** Asking to change the number, with no specific problem named. */
export function asksToChange(text: NormalizedText, scope: Scope): boolean {
  if (text.hanCount > 0) {
    const c = text.compact;
    if (!PHONE_ZH.test(c) || PROBLEM_ZH.test(c)) return false;
    // "以前的号不用了，卡上的号码咋弄": the number is gone and the customer asks what to do with it.
    return CHANGE_ZH.test(c) || (NUMBER_GONE_ZH.test(c) && WHAT_NOW_ZH.test(c));
  }
  return CHANGE_EN.test(text.text) && PHONE_EN.test(text.text) && !PROBLEM_EN.test(text.text) && !scope.outside;
}

/** Changed already (or codes go to an old number), yet the old number is still used: updateDelay. */
export function stillTheOldNumber(text: NormalizedText): boolean {
  if (text.hanCount === 0) return false;
  const c = text.compact;
  const codeToOld = CODE_ZH.test(c) && (SENT_TO_OLD_ZH.test(c) || STILL_OLD_ZH.test(c) || NOT_THE_SAME_ZH.test(c)) && !OLD_GONE_ZH.test(c);
  if (codeToOld) return true;
  if (!ALREADY_CHANGED_ZH.test(c) || ASKS_HOW_ZH.test(c)) return false;
  // Changed already and still the old number, or it "doesn't work", or changed at the bank itself.
  return STILL_OLD_ZH.test(c) || NOT_WORKING_ZH.test(c) || CHANGED_AT_BANK_ZH.test(c);
}

const NOT_WORKING_ZH = /(不行|没用|没生效|不生效|没更新|没变|没同步|不同步)/;
const CHANGED_AT_BANK_ZH = /(去|在|到)(银行|柜台|网点|营业厅).{0,8}(改|换|更改|更换|变更|修改)/;

/** Codes go to a number that is stopped or gone: the old-number topic. */
export function codesToAGoneNumber(text: NormalizedText): boolean {
  if (text.hanCount === 0) return false;
  const c = text.compact;
  return CODE_ZH.test(c) && SENT_TO_OLD_ZH.test(c) && /(停用|停机|停了|注销|不用|不在用|没用)/.test(c) && !ASKS_HOW_ZH.test(c);
}

const UNSOLICITED_ZH = [
  /(陌生|莫名|无故|无缘无故|不认识)[^不没]{0,10}(发|收到)[^不没]{0,6}(验证码|短信|校验码)/,
  /(无故|莫名|无缘无故|没操作|没有操作|没申请|没有申请|不是我|陌生|老是|总是|经常|一直)[^不没]{0,8}收到[^不]{0,6}(验证码|短信|校验码)/,
  /收到.{0,10}(验证码|校验码).{0,10}(没操作|没有操作|不是我|没申请|没有申请|不是本人)/,
];
const UNSOLICITED_EN =
  /(got|getting|get|received|receiving|keep getting).{0,24}codes?.{0,30}(didn'?t (ask|request)|never (asked|requested)|not me|wasn'?t me|no idea why|unexpected)|codes? (i|that i) (didn'?t|never) (ask|request)/;

/** Codes the customer did not ask for keep arriving: a safety matter. */
export function unsolicitedCodes(text: NormalizedText): boolean {
  return text.hanCount > 0 ? UNSOLICITED_ZH.some((r) => r.test(text.compact)) : UNSOLICITED_EN.test(text.text);
}

const IDENTITY_ZH = /(身份|实名|人脸|刷脸|证件|认证|识别|核验|核实|验证(?!码))/;
const IDENTITY_FAILED_ZH =
  /(失败|不通过|没通过|未通过|没过|通不过|过不了|不是本人|认不出|不了|错误|输错|搞错|有误|不对|不符|不一致|无效|不成功|无法|不能|识别不|失别|闪退|出问题|次数过多|次数太多|锁)/;
const WHY_ZH = /(为什么|为何|为啥|凭什么|干嘛|干什么|何必|必须|一定要)/;
const PRIVATE_ZH = /(泄露|泄漏|隐私|安全|保密|盗取)/;
const IDENTITY_EN = /\b(identity|identify|identification|id|verif\w*|prove|proving|proof|who i am|it'?s me|i am me|myself|recogni[sz]\w*|kyc)\b/;
const IDENTITY_FAILED_EN =
  /(\b(not|no way|fail\w*|trouble|problems?|unable|can'?t|cannot|won'?t|doesn'?t|isn'?t|wasn'?t|hasn'?t|haven'?t|didn'?t|reject\w*|error|stuck|declin\w*|refus\w*|skip|bypass|difficult\w*|hard|issues?)\b|n't\b)/;
const WHY_EN = /\b(why|reason|what for|used for|point of|necessary|have to|supposed to)\b/;
const PRIVATE_EN = /\b(privacy|private|leak\w*|safe|secure|security)\b/;

/**
 * Identity checks are one family: a failure named is identityFailed, a "why" whyVerify, anything
 * else (how, where, which documents) requiredDocuments. Undefined when the message is not about them.
 */
export function identityTopic(text: NormalizedText): 'identityFailed' | 'whyVerify' | 'requiredDocuments' | undefined {
  if (text.hanCount > 0) {
    const c = text.compact;
    if (!IDENTITY_ZH.test(c) || PRIVATE_ZH.test(c)) return undefined;
    if (IDENTITY_FAILED_ZH.test(c)) return 'identityFailed';
    return WHY_ZH.test(c) ? 'whyVerify' : 'requiredDocuments';
  }
  const t = text.text;
  if (!IDENTITY_EN.test(t) || PRIVATE_EN.test(t)) return undefined;
  if (IDENTITY_FAILED_EN.test(t)) return 'identityFailed';
  return WHY_EN.test(t) ? 'whyVerify' : 'requiredDocuments';
}

const PHONE_GONE_EN =
  /\b(lost|lose|stolen|stole|nicked|pinched|swiped|taken|took|mugged|robbed|missing|misplaced|left|gone|broke|broken|dropped|replaced|can'?t find|where my|not in possession|don'?t have)\b/;
const APP_LOCKED_OUT_EN = /\b(can'?t|cannot|unable to|not able to)\b.{0,20}\b(use|access|get to|get into|open)\b.{0,12}\bapps?\b/;

/** The phone (or what was on it) is gone: oldNumberLost. English only; Chinese is read by the model. */
export function lostPhone(text: NormalizedText): boolean {
  if (text.hanCount > 0) return false;
  const t = text.text;
  return (/\b(phone|mobile|cell|sim)\b/.test(t) && PHONE_GONE_EN.test(t)) || APP_LOCKED_OUT_EN.test(t);
}

const COMPROMISED_ZH = [
  /(手机|电话|号码|号|预留|手机卡).{0,12}(被|让|给)(别人|他人|人|陌生人|其他人).{0,6}(用|使用|占用|拿|控制|冒用|盗用|注册|办|在用|掌握)/,
  /(号码|手机号|手机卡|电话号|预留号|旧号|原号|老号).{0,4}(被盗|被盗用|被冒用|被劫持|被复制|被补办)/,
  /(别人|他人|陌生人|其他人).{0,6}(在用|用着|拿着|控制|补办了).{0,8}(我的|我)?(号码|手机号|旧号|原号|老号|预留|号|手机卡)/,
  /(号码|手机号|手机卡|旧号|原号|老号|预留号).{0,4}(过户|转让|转给|让给|送给)(给)?(了)?(别人|他人|朋友|亲戚|家人)?/,
];
const COMPROMISED_EN = [
  /\b(number|phone number|sim)\b.{0,30}\b(taken over|hijacked|cloned|swapped|ported out|stolen)\b/,
  /\b(someone else|somebody else|another person|a stranger|someone)\b.{0,24}\b(has|is using|uses|got|took over|owns|controls|ported|activated)\b.{0,20}\b(number|sim)\b/,
  /\bsim swap/,
  /\b(number|sim)\b.{0,30}\b(someone else'?s|in someone else'?s hands|belongs to someone else)\b/,
];

/**
 * The current number is in someone else's hands (taken over, recycled to a stranger, a SIM swap): no
 * code may go to it. Read before the change rule: "我的预留手机号被别人在用，我要换掉" is this.
 */
export function numberCompromised(text: NormalizedText): boolean {
  return text.hanCount > 0 ? COMPROMISED_ZH.some((r) => r.test(text.compact)) : COMPROMISED_EN.some((r) => r.test(text.text));
}

const CODE_WORD_ZH = /(验证码|校验码|动态码|认证码|短信验证|验证短信)/;
const CODE_WORD_EN = /\b(code|codes|otp|passcode)\b/;
const CODE_LIMITS_ZH = /(频繁|次数|上限|超限|被锁|锁住|锁定|有效|多久过期|多长时间过期|几分钟过期|过段时间|八九次|很多次|太多次)/;
const CODE_NOT_RECEIVED_ZH = /(收不到|没收到|没有收到|接收不到|收不了|获取不|发不|不发|没发|没来|不到|没到|没有到|迟迟|延迟|滞后|太慢|超时|发送失败|获取失败|没反应)/;
const CODE_WRONG_ZH = /(失败|错误|出错|不对|不正确|无效|失效|过期|报错)/;
const CODE_LIMITS_EN = /\b(too many|limit|limits|how often|how many times|locked|valid for|expire|expires|how long is the code)\b/;
const CODE_NOT_RECEIVED_EN = /\b(not received|didn'?t (get|receive|come|arrive)|haven'?t (got|received)|never (got|came|arrived)|no code|not (coming|arriving|here)|still waiting)\b/;
const CODE_WRONG_EN = /\b(wrong|invalid|incorrect|expired|rejected|doesn'?t work|not working|failed|error)\b/;

/**
 * A code problem named: sends capped or codes expiring (otpLimits), codes not arriving
 * (otpNotReceived), codes refused (otpWrong). Undefined when no code is named, or no problem.
 */
export function codeProblem(text: NormalizedText): 'otpLimits' | 'otpNotReceived' | 'otpWrong' | undefined {
  if (text.hanCount > 0) {
    const c = text.compact;
    if (!CODE_WORD_ZH.test(c)) return undefined;
    if (CODE_LIMITS_ZH.test(c)) return 'otpLimits';
    if (CODE_NOT_RECEIVED_ZH.test(c)) return 'otpNotReceived';
    return CODE_WRONG_ZH.test(c) ? 'otpWrong' : undefined;
  }
  const t = text.text;
  if (!CODE_WORD_EN.test(t)) return undefined;
  if (CODE_LIMITS_EN.test(t)) return 'otpLimits';
  if (CODE_NOT_RECEIVED_EN.test(t)) return 'otpNotReceived';
  return CODE_WRONG_EN.test(t) ? 'otpWrong' : undefined;
}
