/**
 * What the model reads of a message: words, not characters one by one. Chinese is segmented with
 * jieba (`@node-rs/jieba`) and a few banking words of ours; English is split and stemmed (nlp.js's
 * Porter stemmer). Words that mean the same here become one concept (电话/手机/号码 → PHONE, 预留/
 * 绑定 → BOUND, 换/改/变更 → CHANGE; mobile/cell → PHONE …); greetings and politeness are dropped,
 * they carry no intent. Chinese adds character bigrams, so typos and unknown compounds still share
 * most features; English adds word bigrams ("old number", "still showing").
 */
import { readFileSync } from 'node:fs';
import { Jieba } from '@node-rs/jieba';
import { StemmerEn } from '@nlpjs/lang-en-min';

/** Bump when the features change: cached models are rebuilt. */
export const FEATURES_VERSION = 1;

/** Words jieba should keep whole (its dictionary splits 没收到 as 没收|到, "confiscate"). */
const USER_WORDS = [
  '没收到', '没有收到', '收不到', '收不了', '接收不到', '获取不到', '拿不到', '发不过来', '发不出来', '收不着',
  '验证码', '校验码', '动态码', '短信码', '预留手机', '预留手机号', '预留号码', '换绑', '改绑', '解绑',
  '人脸识别', '刷脸', '实名认证', '身份验证', '身份认证', '身份信息', '人工客服', '转人工', '不通过', '没通过',
  '停机', '注销', '不用了', '不在用', '被盗', '被占用', '微粒贷', '咋整', '咋办', '咋弄',
];

/** Chinese words → one concept. Longest words first is not needed: jieba gives whole words. */
const ZH_CONCEPTS: Record<string, readonly string[]> = {
  PHONE: [
    '手机', '手机号', '手机号码', '电话', '电话号码', '号码', '联系电话', '联系方式', '手机号吗', '号',
    '预留手机', '预留手机号', '预留号码', '新号', '旧号', '号子', '手机号是', '电话号',
  ],
  BOUND: ['预留', '绑定', '绑', '绑的', '留的', '关联', '登记', '预流', '邦定'],
  CHANGE: [
    '换', '改', '更换', '更改', '修改', '变更', '更新', '换成', '改成', '改为', '换掉', '跟换', '变', '变了', '换了',
    '改了', '换绑', '改绑', '替换', '调整', '重新', '转移', '换号', '改号', '变动', '改一下', '换一下', '换个',
  ],
  HOW: ['怎么', '怎样', '如何', '咋', '咋整', '咋办', '咋弄', '怎么办', '怎么弄', '办理', '哪里', '在哪', '在哪里', '怎么样'],
  CAN: ['可以', '能', '能否', '能不能', '可不可以', '是否'],
  CODE: ['验证码', '校验码', '动态码', '短信码', '动态密码', '验证短信', '验证号码'],
  SMS: ['短信', '信息', '消息'],
  NOT_RECEIVED: [
    '没收到', '没有收到', '收不到', '收不了', '接收不到', '获取不到', '拿不到', '发不过来', '发不出来', '收不着',
    '没收', '没来', '没有来', '不来', '没到', '没反应', '收到不',
  ],
  AGENT: ['人工', '客服', '人工客服', '真人', '坐席', '工作人员', '客服人员', '转人工', '接线员'],
  OLD: ['原来', '以前', '之前', '旧', '老', '原', '原先', '以前的', '原来的', '之前的', '旧的', '老的'],
  STILL: ['还是', '仍然', '依然', '仍', '一直', '还'],
  IDENTITY: ['身份', '身份证', '实名', '身份信息', '实名认证', '身份验证', '身份认证', '证件', '本人'],
  FACE: ['人脸识别', '刷脸', '人脸', '视频', '面部'],
  FAIL: ['失败', '不通过', '没通过', '通不过', '不成功', '不了', '错误', '不对', '有误', '错', '不符', '不一致'],
  LOST: ['丢', '丢了', '丢失', '掉', '掉了', '被盗', '被偷', '偷', '遗失', '弄丢'],
  STOPPED: ['停用', '停机', '注销', '不用了', '不用', '不在用', '作废', '欠费', '销号', '空号', '没用了'],
  LOAN: ['借款', '贷款', '借钱', '还款', '额度', '利息', '逾期', '微粒贷', '分期', '放款', '下款', '借'],
  FROZEN: ['冻结', '锁定', '锁', '解冻', '限制', '异常', '封'],
  PERSON_INFO: ['个人信息', '隐私', '泄露', '泄漏', '信息安全'],
};

/** Greetings and politeness: no intent of their own. */
const ZH_DROPPED = new Set([
  '你好', '您好', '请问', '麻烦', '麻烦您', '谢谢', '你们好', '在吗', '哈喽', '嗨', '喂', '亲', '您', '一下',
  '的', '了', '啊', '呀', '吧', '呢', '哦', '嘛', '哈', '我', '我的', '你们', '你', '是', '在', '也', '要', '想',
  '，', '。', '？', '！', ',', '.', '?', '!', ' ', '、', '：', ':', '~', '…',
]);

const EN_CONCEPTS: Record<string, readonly string[]> = {
  PHONE: ['phone', 'mobile', 'cell', 'cellphone', 'number', 'sim', 'telephone', 'tel', 'smartphone', 'handset', 'device'],
  CHANGE: ['change', 'update', 'switch', 'replace', 'modify', 'edit', 'alter', 'amend'],
  CODE: ['code', 'otp', 'passcode', 'token'],
  SMS: ['sms', 'text', 'message', 'texts'],
  AGENT: ['agent', 'human', 'person', 'someone', 'somebody', 'representative', 'rep', 'operator', 'staff', 'advisor', 'people'],
  VERIFY: ['verify', 'verification', 'verified', 'verifying', 'confirm', 'check', 'checks', 'validate', 'prove', 'kyc'],
  IDENTITY: ['identity', 'id', 'identification', 'identify', 'ident'],
  DOCS: ['document', 'documents', 'documentation', 'paperwork', 'passport', 'license', 'licence', 'proof', 'papers'],
  LOST: ['lost', 'lose', 'stolen', 'steal', 'stole', 'misplaced', 'missing', 'gone', 'theft', 'robbed', 'thief'],
  FAIL: ['fail', 'failed', 'failing', 'fails', 'unable', 'cant', "can't", 'cannot', 'wont', "won't", 'not', 'problem', 'trouble', 'issue', 'error', 'reject', 'rejected', 'decline', 'declined', 'difficult', 'difficulty'],
};
const EN_DROPPED = new Set(['hi', 'hello', 'hey', 'please', 'pls', 'um', 'uh', 'so', 'the', 'a', 'an', 'my', 'i', 'me', 'im', "i'm", 'to', 'of', 'is', 'it', 'for', 'and', 'on', 'in']);

const HAN = /\p{Script=Han}/u;
const WORD = /[a-z0-9']+/g;

function inverse(concepts: Record<string, readonly string[]>): Map<string, string> {
  const map = new Map<string, string>();
  for (const [concept, words] of Object.entries(concepts)) for (const w of words) if (!map.has(w)) map.set(w, concept);
  return map;
}

export interface Featurizer {
  /** The features of a message in its language (`zh` for any Han script, else `en`). */
  features(language: 'zh' | 'en', text: string): string[];
  /** jieba's words of a Chinese text (for rules that look at words). */
  words(text: string): string[];
}

let shared: Featurizer | undefined;

/** One featurizer per process: jieba's dictionary loads once (~200 ms). */
export function featurizer(): Featurizer {
  shared ??= createFeaturizer();
  return shared;
}

/**
 * jieba's own dictionary, read when the featurizer is made and then let go: jieba keeps its words in
 * its own structures. (`@node-rs/jieba/dict` would read it at import and hold it for good, 5 MB, with
 * an IDF table of 6 MB we never use.)
 */
function jiebaDictionary(): Buffer {
  return readFileSync(require.resolve('@node-rs/jieba/dict.txt'));
}

function createFeaturizer(): Featurizer {
  const jieba = Jieba.withDict(jiebaDictionary());
  jieba.loadDict(Buffer.from(USER_WORDS.map((w) => `${w} 200000 n`).join('\n')));
  const zhConcept = inverse(ZH_CONCEPTS);
  const enConcept = inverse(EN_CONCEPTS);
  const stemmer = new StemmerEn();
  const enStem = new Map<string, string>();
  const stem = (w: string): string => {
    let s = enStem.get(w);
    if (s === undefined) {
      s = (stemmer.stem([w]) as string[])[0] ?? w;
      if (enStem.size < 50_000) enStem.set(w, s);
    }
    return s;
  };

  const words = (text: string): string[] => jieba.cut(text, false).filter((w) => w.trim() !== '');

  function zh(text: string): string[] {
    const out: string[] = [];
    const kept: string[] = [];
    for (const w of words(text)) {
      if (ZH_DROPPED.has(w)) continue;
      const latin = w.match(WORD);
      if (latin && !HAN.test(w)) {
        for (const l of latin) if (!/^\d+$/.test(l)) out.push(enConcept.get(l) ?? stem(l));
        continue;
      }
      const concept = zhConcept.get(w);
      out.push(w);
      if (concept) out.push(concept);
      kept.push(w);
    }
    // A greeting alone ("你好") is all politeness: then it is what it says.
    if (out.length === 0) for (const w of words(text)) if (!/^[\p{P}\s]+$/u.test(w)) kept.push(w), out.push(w);
    // Character bigrams of what is left: robust to typos and to words jieba does not know.
    const han = kept.join('').replace(/[^\p{Script=Han}]/gu, '');
    for (let i = 0; i + 1 < han.length; i++) out.push(`~${han.slice(i, i + 2)}`);
    return out;
  }

  function en(text: string): string[] {
    const tokens = (text.toLowerCase().replace(/[\u2018\u2019]/g, "'").match(WORD) ?? []).filter((t) => !/^\d+$/.test(t));
    const units: string[] = [];
    const allDropped = tokens.every((t) => EN_DROPPED.has(t));
    for (const t of tokens) {
      if (EN_DROPPED.has(t) && !allDropped) continue;
      const bare = t.replace(/'/g, '');
      units.push(enConcept.get(t) ?? enConcept.get(bare) ?? stem(bare));
    }
    const out = [...units];
    for (let i = 0; i + 1 < units.length; i++) out.push(`${units[i]}_${units[i + 1]}`);
    return out;
  }

  return {
    features: (language, text) => (language === 'zh' ? zh(text.toLowerCase()) : en(text)),
    words,
  };
}
