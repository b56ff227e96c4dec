/*
 * Rebind Bank chat widget: a floating "在线客服" button and a panel holding Bot Framework Web Chat
 * (the UMD bundle served at /webchat.js), talking to the bank's Direct Line 3.0 at <origin>/v3/directline.
 *
 * - window.RebindWidget.mount({ element, locale }) adds the button and the panel to `element`
 *   (default: document.body). A script tag carrying `data-rebind-mount` mounts by itself, so a page
 *   needs no inline script (CSP-friendly). `data-rebind-origin` on the same tag names the bank's
 *   server (token and Direct Line URLs); default: this page's origin. The tag's `nonce` (the page's
 *   CSP nonce) goes to Web Chat, which puts it on the <style> elements it adds: a page whose
 *   Content-Security-Policy allows styles by nonce needs no 'unsafe-inline'.
 * - The page only ever holds a Direct Line token; Web Chat's Direct Line refreshes it by itself.
 * - What the bot expects next (reply `channelData.expecting`, see docs/interfaces.md) shapes the
 *   send box: placeholder, on-screen keyboard, one-time-code autofill, and the resend countdown.
 * - The customer's card, ID, phone and code digits are shown masked (the bot still gets them whole).
 * Test hooks (no behaviour of their own): RebindWidget.state(), data-testid attributes, and
 * data-outcome on the panel.
 */
(() => {
  'use strict';

  const SCRIPT = document.currentScript;
  const DEFAULT_ORIGIN = ((SCRIPT && SCRIPT.dataset.rebindOrigin) || location.origin).replace(/\/+$/, '');
  // Read from the property: browsers hide the nonce attribute once the element is in the page.
  const STYLE_NONCE = (SCRIPT && SCRIPT.nonce) || undefined;

  /** The widget's own words. The bot's words come from the bot, in the language of each message. */
  const TEXT = {
    'zh-CN': {
      launcher: '在线客服', launcherLabel: '打开在线客服', title: '智能客服 · 更换绑定手机号',
      close: '关闭在线客服', language: '语言', connecting: '正在连接在线客服…',
      failed: '抱歉，暂时无法连接在线客服。请检查网络后重试，或稍后再来。', retry: '重试',
      target: { old: '验证码已发往当前号码', new: '验证码已发往新号码' },
      wait: (s) => `${s} 秒后可重新发送验证码`,
      ready: '可以重新发送验证码了：点击「重新发送验证码」或输入「重新发送」',
      queue: (p, m) => `正在排队等待人工客服：第 ${p} 位，约 ${m} 分钟`,
      agent: (name) => `人工客服${name ? ` ${name} ` : ''}正在为您服务`,
      placeholder: {
        cardNumber: '请输入银行卡号', idNumber: '请输入身份证号或护照号码',
        oldPhone: '请输入当前绑定的手机号', newPhone: '请输入新手机号', otp: '请输入6位验证码',
      },
      botInitials: '瑞邦', userInitials: '我',
    },
    'en-US': {
      launcher: 'Chat', launcherLabel: 'Open customer service chat', title: 'Change your mobile number',
      close: 'Close the chat', language: 'Language', connecting: 'Connecting to customer service…',
      failed: 'Sorry, we could not reach customer service. Please check your connection and try again, or come back later.',
      retry: 'Try again',
      target: { old: 'Code sent to your current number', new: 'Code sent to your new number' },
      wait: (s) => `You can ask for a new code in ${s} s`,
      ready: 'You can ask for a new code now: tap "Resend code" or type "resend"',
      queue: (p, m) => `Waiting for a person: number ${p} in the queue, about ${m} min`,
      agent: (name) => `${name || 'An agent'} from our team is chatting with you`,
      placeholder: {
        cardNumber: 'Enter your card number', idNumber: 'Enter your ID or passport number',
        oldPhone: 'Enter your current mobile number', newPhone: 'Enter your new mobile number', otp: 'Enter the 6-digit code',
      },
      botInitials: 'RB', userInitials: 'Me',
    },
  };

  /**
   * Send box attributes per expected answer (Web Chat 4.18 has no prop for them: it renders
   * inputMode="text", so they are set on its input element). null = attribute removed.
   * Phones use the telephone keypad (digits and "+", for numbers like +852…).
   */
  const PLAIN = { inputmode: 'text', autocomplete: null, pattern: null, autocapitalize: null };
  const INPUT_HINTS = {
    cardNumber: { ...PLAIN, inputmode: 'numeric', autocomplete: 'off' },
    idNumber: { ...PLAIN, autocomplete: 'off', autocapitalize: 'characters' }, // may end with X
    oldPhone: { ...PLAIN, inputmode: 'tel', autocomplete: 'off' },
    newPhone: { ...PLAIN, inputmode: 'tel', autocomplete: 'off' },
    otp: { ...PLAIN, inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]*' },
  };

  // ---------------------------------------------------------------------------------------------
  // Masking, the same rules as the server's (domain/mask.ts maskDigitsInText), so the customer's
  // message looks the same before and after the channel's masked echo replaces it.
  // ---------------------------------------------------------------------------------------------
  const RUN = /\+?\d(?:[\s\-\u2010-\u2015\u2212\ufe63\uff0d.\u3002\uff0e()\uff08\uff09]{0,3}\d)*/g;
  const CN_MOBILE = /^(?:86|0086)?(1[3-9]\d{9})$/;
  const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

  /** Fullwidth and other Unicode decimal digits → ASCII (digits come in runs of ten, 0 to 9). */
  function digitsToAscii(text) {
    return text.replace(/(?![0-9])\p{Nd}/gu, (char) => {
      const code = char.codePointAt(0);
      let start = code;
      while (/\p{Nd}/u.test(String.fromCodePoint(start - 1))) start -= 1;
      return String((code - start) % 10);
    });
  }
  const idCheckChar = (first17) =>
    '10X98765432'.charAt([...first17].reduce((sum, d, i) => sum + Number(d) * ID_WEIGHTS[i], 0) % 11);
  const maskId = (id) => id.slice(0, 4) + '*'.repeat(id.length - 8) + id.slice(-4);

  function maskNumber(digits, plus, idCheckX) {
    const mobile = CN_MOBILE.exec(digits);
    if (idCheckX) return maskId(digits + 'X'); // 17 digits + X: '1101**********002X'
    if (mobile) return `${mobile[1].slice(0, 3)}****${mobile[1].slice(-4)}`; // '138****8000'
    if (plus) return '*'.repeat(digits.length); // the server shows '+44 ****3456'; its echo follows
    if (digits.length === 18 && idCheckChar(digits.slice(0, 17)) === digits.charAt(17)) return maskId(digits);
    if (digits.length >= 13 && digits.length <= 19) return `${digits.slice(0, 4)} **** **** ${digits.slice(-4)}`;
    return '*'.repeat(digits.length); // a 6-digit code → '******'
  }

  /** Masks every number of 6+ digits in `text`; other text is kept as typed. Pure. */
  function maskDigits(text) {
    const ascii = digitsToAscii(text);
    let out = '';
    let cursor = 0;
    for (const match of ascii.matchAll(RUN)) {
      const digits = match[0].replace(/\D/g, '');
      if (digits.length < 6) continue;
      let end = match.index + match[0].length;
      const idCheckX = digits.length === 17 && /^[Xx\uff38\uff58]$/.test(ascii.charAt(end)) && !/[A-Za-z]/.test(ascii.charAt(end + 1));
      if (idCheckX) end += 1;
      out += ascii.slice(cursor, match.index) + maskNumber(digits, match[0].startsWith('+'), idCheckX);
      cursor = end;
    }
    return out + ascii.slice(cursor);
  }

  // ---------------------------------------------------------------------------------------------
  // The widget: one per page.
  // ---------------------------------------------------------------------------------------------
  const w = {
    mounted: false, open: false, locale: 'zh-CN', origin: DEFAULT_ORIGIN,
    expecting: undefined, otpTarget: undefined, countdown: undefined, conversationId: undefined,
    handoff: undefined, // channelData.handoff of the last reply that had one: the queue place, the agent
    resendAt: undefined, resendFor: undefined, // when (ms) a new code may be asked for, and for which number
    directLine: null, store: null, starting: null, timer: 0, renderQueued: false, focusPending: false,
    els: {}, styleOptions: {},
  };

  const t = () => TEXT[w.locale];
  const normalizeLocale = (locale) => (/^en/i.test(locale || '') ? 'en-US' : 'zh-CN');

  /** Small DOM builder: attributes (null skipped) and children (strings become text). */
  function el(tag, attrs = {}, children = []) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) if (value !== null) node.setAttribute(name, value);
    for (const child of children) node.append(child);
    return node;
  }
  /** Fixed, trusted icon markup (never text from the conversation). */
  function icon(svgMarkup) {
    const span = el('span', { class: 'rebind-icon', 'aria-hidden': 'true' });
    span.innerHTML = svgMarkup;
    return span;
  }
  const CHAT_ICON = '<svg viewBox="0 0 24 24" width="26" height="26" focusable="false"><path fill="currentColor" d="M12 3C6.5 3 2 6.6 2 11c0 2.4 1.3 4.6 3.5 6.1L4.8 21l4.1-2.3c1 .2 2 .3 3.1.3 5.5 0 10-3.6 10-8s-4.5-8-10-8zm-4 9.3a1.3 1.3 0 1 1 0-2.6 1.3 1.3 0 0 1 0 2.6zm4 0a1.3 1.3 0 1 1 0-2.6 1.3 1.3 0 0 1 0 2.6zm4 0a1.3 1.3 0 1 1 0-2.6 1.3 1.3 0 0 1 0 2.6z"/></svg>';
  const CLOSE_ICON = '<svg viewBox="0 0 24 24" width="20" height="20" focusable="false"><path fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" d="M6 6l12 12M18 6L6 18"/></svg>';

  function build(host) {
    const e = w.els;
    e.launcherText = el('span', { class: 'rebind-launcher__text' });
    e.launcher = el('button', {
      type: 'button', class: 'rebind-launcher', 'data-testid': 'rebind-chat-button',
      'aria-expanded': 'false', 'aria-controls': 'rebind-chat-panel', 'aria-haspopup': 'dialog',
    }, [icon(CHAT_ICON), e.launcherText]);
    e.title = el('h2', { id: 'rebind-chat-title', class: 'rebind-panel__title' });
    e.langZh = el('button', { type: 'button', class: 'rebind-lang__option', 'data-testid': 'lang-zh', lang: 'zh-CN' }, ['中文']);
    e.langEn = el('button', { type: 'button', class: 'rebind-lang__option', 'data-testid': 'lang-en', lang: 'en' }, ['English']);
    e.lang = el('div', { class: 'rebind-lang', role: 'group' }, [e.langZh, e.langEn]);
    e.close = el('button', { type: 'button', class: 'rebind-panel__close' }, [icon(CLOSE_ICON)]);
    e.webchat = el('div', { class: 'rebind-webchat' });
    e.otpBar = el('div', { class: 'rebind-otp', 'data-testid': 'otp-countdown', 'aria-hidden': 'true', hidden: '' });
    e.handoffBar = el('div', { class: 'rebind-handoff', 'data-testid': 'handoff-status', role: 'status', hidden: '' });
    // What screen readers hear of the countdown bar (the bar itself changes every second: aria-hidden).
    e.announcer = el('div', { class: 'rebind-sr-only', 'data-testid': 'rebind-status', role: 'status', 'aria-live': 'polite' });
    e.noticeText = el('p', { class: 'rebind-notice__text' });
    e.retry = el('button', { type: 'button', class: 'rebind-notice__retry', hidden: '' });
    e.notice = el('div', { class: 'rebind-notice', role: 'alert', hidden: '' }, [e.noticeText, e.retry]);
    e.panel = el('section', {
      id: 'rebind-chat-panel', class: 'rebind-panel', 'data-testid': 'rebind-chat', role: 'dialog',
      'aria-labelledby': 'rebind-chat-title', tabindex: '-1', hidden: '',
    }, [
      // A div, not a <header>: a <header> that is not inside an article, aside, main, nav or region
      // is a banner landmark (the panel is a dialog, not one of those), and the host page has its
      // own banner: two banners without names (axe: landmark-no-duplicate-banner, landmark-unique).
      el('div', { class: 'rebind-panel__header' }, [e.title, e.lang, e.close]),
      el('div', { class: 'rebind-panel__body' }, [e.handoffBar, e.webchat, e.otpBar, e.notice, e.announcer]),
    ]);
    e.root = el('div', { class: 'rebind-widget' }, [e.panel, e.launcher]);
    host.append(e.root);

    e.launcher.addEventListener('click', () => (w.open ? close() : open()));
    e.close.addEventListener('click', close);
    e.langZh.addEventListener('click', () => setLocale('zh-CN'));
    e.langEn.addEventListener('click', () => setLocale('en-US'));
    e.retry.addEventListener('click', () => start());
    e.panel.addEventListener('keydown', (event) => {
      // Escape closes, except inside the transcript, where Web Chat uses it to go back to the send box.
      if (event.key === 'Escape' && !event.defaultPrevented && !event.target.closest('.webchat__basic-transcript')) close();
    });
    // Any element marked data-rebind-open (e.g. the demo page's "办理" buttons) opens the chat.
    document.addEventListener('click', (event) => {
      const opener = event.target.closest && event.target.closest('[data-rebind-open]');
      if (opener && !e.root.contains(opener)) { event.preventDefault(); open(); }
    });
    // Web Chat re-renders its send box at will: re-apply the input hints, place the countdown bar.
    new MutationObserver(() => { applyInputHints(); placeOtpBar(); })
      .observe(e.webchat, { childList: true, subtree: true, attributes: true, attributeFilter: ['inputmode', 'autocomplete', 'pattern'] });
    window.addEventListener('resize', placeOtpBar);
  }

  /** The widget's own texts and the language switch, in the current locale. */
  function updateChrome() {
    const e = w.els;
    const s = t();
    e.panel.setAttribute('lang', w.locale);
    e.launcherText.textContent = s.launcher;
    e.launcher.setAttribute('aria-label', s.launcherLabel);
    e.title.textContent = s.title;
    e.lang.setAttribute('aria-label', s.language);
    e.close.setAttribute('aria-label', s.close);
    e.langZh.setAttribute('aria-pressed', String(w.locale === 'zh-CN'));
    e.langEn.setAttribute('aria-pressed', String(w.locale === 'en-US'));
    e.retry.textContent = s.retry;
    if (!e.notice.hidden) e.noticeText.textContent = e.retry.hidden ? s.connecting : s.failed;
    updateOtpBar(true);
  }

  function showNotice(kind) {
    const e = w.els;
    e.notice.hidden = kind === null;
    e.retry.hidden = kind !== 'failed';
    if (kind) e.noticeText.textContent = t()[kind];
  }

  /** Bank colours for Web Chat; one object per locale so re-renders do not rebuild the style set. */
  function styleOptionsFor(locale) {
    if (!w.styleOptions[locale]) {
      const maroon = '#B3122E';
      w.styleOptions[locale] = {
        accent: maroon, backgroundColor: '#FAF8F6', primaryFont: '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Hiragino Sans GB", system-ui, -apple-system, "Segoe UI", sans-serif',
        bubbleBackground: '#FFFFFF', bubbleBorderColor: '#E4DDD7', bubbleBorderRadius: 12, bubbleTextColor: '#2B2523',
        bubbleFromUserBackground: maroon, bubbleFromUserBorderColor: maroon, bubbleFromUserBorderRadius: 12, bubbleFromUserTextColor: '#FFFFFF',
        botAvatarImage: `${w.origin}/static/bot-avatar.svg`, botAvatarInitials: TEXT[locale].botInitials, botAvatarBackgroundColor: '#FFFFFF',
        userAvatarInitials: TEXT[locale].userInitials, userAvatarBackgroundColor: '#7A0C1F',
        suggestedActionLayout: 'flow', suggestedActionBackgroundColor: '#FFFFFF', suggestedActionBorderColor: maroon,
        suggestedActionBorderRadius: 16, suggestedActionTextColor: maroon, suggestedActionBackgroundColorOnHover: '#FBEAEC',
        suggestedActionBorderColorOnHover: '#7A0C1F', suggestedActionTextColorOnHover: '#7A0C1F',
        sendBoxButtonColor: maroon, sendBoxButtonColorOnHover: '#7A0C1F', sendBoxButtonColorOnFocus: '#7A0C1F',
        sendBoxTextColor: '#2B2523', sendBoxPlaceholderColor: '#6B625D', sendBoxBorderTop: 'solid 1px #E4DDD7',
        subtle: '#6B625D', timestampColor: '#6B625D',
        transcriptVisualKeyboardIndicatorColor: maroon, transcriptActivityVisualKeyboardIndicatorColor: maroon,
        hideUploadButton: true, sendTypingIndicator: false,
      };
    }
    return w.styleOptions[locale];
  }

  /** Renders (or re-renders: same Direct Line and store, the conversation goes on) Web Chat. */
  function render() {
    w.renderQueued = false;
    if (!w.directLine) return;
    const placeholder = t().placeholder[w.expecting];
    window.WebChat.renderWebChat({
      directLine: w.directLine, store: w.store, locale: w.locale, styleOptions: styleOptionsFor(w.locale), nonce: STYLE_NONCE,
      sendTypingIndicator: false,
      overrideLocalizedStrings: placeholder ? { TEXT_INPUT_PLACEHOLDER: placeholder } : undefined,
    }, w.els.webchat);
    applyInputHints();
  }
  /** Not from inside a store dispatch: after the current one. */
  function queueRender() {
    if (!w.renderQueued) { w.renderQueued = true; setTimeout(render, 0); }
  }

  /** Web Chat's send box input (4.18: data-id), or any text input in the panel. */
  function sendBoxInput() {
    return w.els.panel.querySelector('[data-id="webchat-sendbox-input"]') || w.els.panel.querySelector('input[type=text], textarea');
  }

  /** Sets the send box's keyboard/autofill attributes for what the bot expects (writes only changes). */
  function applyInputHints() {
    const input = sendBoxInput();
    if (!input) return;
    for (const [name, value] of Object.entries(INPUT_HINTS[w.expecting] || PLAIN)) {
      if (value === null) { if (input.hasAttribute(name)) input.removeAttribute(name); }
      else if (input.getAttribute(name) !== value) input.setAttribute(name, value);
    }
    // `pattern` is a keyboard hint here, not a rule: the customer may still type "重新发送" or a question.
    if (input.form && !input.form.noValidate) input.form.noValidate = true;
    if (w.focusPending && w.open) { w.focusPending = false; input.focus(); }
  }

  // ---------------------------------------------------------------------------------------------
  // What the bot expects, from each bot message's channelData.
  // ---------------------------------------------------------------------------------------------
  function onBotMessage(activity) {
    const data = activity.channelData || {};
    if (data.outcome) w.els.panel.setAttribute('data-outcome', data.outcome);
    const expecting = typeof data.expecting === 'string' ? data.expecting : undefined;
    const otpTarget = expecting === 'otp' ? data.otpTarget : undefined;
    if (expecting === 'otp') {
      if (typeof data.resendAfterSeconds === 'number') {
        w.resendAt = Date.now() + data.resendAfterSeconds * 1000;
        w.resendFor = otpTarget;
      } else if (w.resendFor !== otpTarget) {
        w.resendAt = undefined; // a re-ask for the same number keeps its clock; another number has none yet
      }
    }
    if (data.handoff && typeof data.handoff === 'object') {
      const h = data.handoff;
      w.handoff = { status: String(h.status), position: Number(h.position) || undefined, waitMinutes: Number(h.waitMinutes) || undefined, agentName: typeof h.agentName === 'string' ? h.agentName : undefined };
      updateHandoffBar();
    }
    const changed = expecting !== w.expecting;
    w.expecting = expecting;
    w.otpTarget = otpTarget;
    updateOtpBar(true);
    if (changed) queueRender(); // new placeholder; the input attributes follow in applyInputHints
  }

  /** The strip at the top while people have the conversation: the place in the queue, or who is helping. */
  function updateHandoffBar() {
    const bar = w.els.handoffBar;
    const h = w.handoff;
    const s = t();
    const text = !h ? '' : h.status === 'waiting' && h.position ? s.queue(h.position, h.waitMinutes || 1) : h.status === 'withAgent' ? s.agent(h.agentName) : '';
    bar.textContent = text; // text only: an agent's name is data
    bar.hidden = text === '';
    bar.setAttribute('data-status', h ? h.status : '');
  }

  /** The countdown bar: shown while a code is expected; ticks once a second until 0. */
  function updateOtpBar(announce) {
    const e = w.els;
    const active = w.expecting === 'otp';
    clearTimeout(w.timer);
    w.countdown = active && w.resendAt !== undefined ? Math.max(0, Math.ceil((w.resendAt - Date.now()) / 1000)) : undefined;
    e.otpBar.hidden = !active;
    e.panel.classList.toggle('rebind-panel--otp', active);
    if (!active) {
      // No code is awaited any more (the next question, the change done, cancelled, a person):
      // nothing is left for a screen reader to find in the status region.
      if (e.announcer.textContent !== '') e.announcer.textContent = '';
      return;
    }
    const s = t();
    const target = s.target[w.otpTarget] || s.target.old;
    const when = w.countdown === undefined ? '' : w.countdown > 0 ? s.wait(w.countdown) : s.ready;
    e.otpBar.textContent = when ? `${target} · ${when}` : target;
    // The bar changes every second; screen readers hear it only when the prompt arrives and at 0.
    if (announce || w.countdown === 0) e.announcer.textContent = e.otpBar.textContent;
    // Next tick when the shown second changes.
    if (w.countdown > 0) w.timer = setTimeout(() => updateOtpBar(false), (w.resendAt - Date.now()) % 1000 || 1000);
    placeOtpBar();
  }

  /** Keeps the bar just above Web Chat's send box (suggested actions included), whatever its height. */
  function placeOtpBar() {
    const e = w.els;
    if (e.otpBar.hidden) return;
    const sendBox = e.webchat.querySelector('.webchat__send-box');
    const bottom = `${sendBox ? sendBox.offsetHeight : 48}px`;
    if (e.otpBar.style.bottom !== bottom) e.otpBar.style.bottom = bottom;
  }

  // ---------------------------------------------------------------------------------------------
  // Web Chat store middleware: masking for display, expectations, used suggested actions.
  // ---------------------------------------------------------------------------------------------
  /** Actions that only put an activity on screen. DIRECT_LINE/POST_ACTIVITY (what the bot gets) is not one. */
  const DISPLAY_ACTIONS = new Set(['DIRECT_LINE/POST_ACTIVITY_PENDING', 'DIRECT_LINE/POST_ACTIVITY_FULFILLED', 'DIRECT_LINE/INCOMING_ACTIVITY']);

  /**
   * A copy of the action for display: the customer's numbers masked, and text without a declared
   * format shown as plain text. The bot writes plain lines (Web Chat would read them as Markdown:
   * line breaks lost, "138****8000 … 186****5678" turned bold). Web Chat's own activity object is
   * never changed: it is the one posted to the bot.
   */
  function forDisplay(action) {
    const activity = action.payload && action.payload.activity;
    if (!activity || activity.type !== 'message' || typeof activity.text !== 'string') return action;
    const text = activity.from && activity.from.role === 'user' ? maskDigits(activity.text) : activity.text;
    if (text === activity.text && activity.textFormat) return action;
    return { ...action, payload: { ...action.payload, activity: { ...activity, text, textFormat: activity.textFormat || 'plain' } } };
  }

  const storeMiddleware = ({ dispatch }) => (next) => (action) => {
    const type = action && action.type;
    const result = next(DISPLAY_ACTIONS.has(type) ? forDisplay(action) : action);
    const activity = action && action.payload && action.payload.activity;
    if (type === 'DIRECT_LINE/INCOMING_ACTIVITY' && activity && activity.type === 'message' && activity.from && activity.from.role === 'bot') {
      onBotMessage(activity);
    } else if (type === 'DIRECT_LINE/POST_ACTIVITY' && activity && activity.type === 'message') {
      // Buttons are answered once: Web Chat 4.18 keeps them after an imBack until the bot speaks again.
      dispatch({ type: 'WEB_CHAT/SET_SUGGESTED_ACTIONS', payload: { suggestedActions: [] } });
    }
    return result;
  };

  // ---------------------------------------------------------------------------------------------
  // Opening, connecting, language.
  // ---------------------------------------------------------------------------------------------
  /** Gets a token and starts Web Chat; on failure, a polite message and a retry button. */
  function start() {
    if (w.starting || w.directLine) return w.starting;
    showNotice('connecting');
    w.starting = (async () => {
      try {
        if (!window.WebChat) throw new Error('the Web Chat bundle (/webchat.js) is not loaded');
        const response = await fetch(`${w.origin}/api/directline/token`, {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ locale: w.locale }),
        });
        if (!response.ok) throw new Error(`token endpoint answered ${response.status}`);
        const { token, conversationId, domain } = await response.json();
        if (typeof token !== 'string' || !token) throw new Error('token endpoint sent no token');
        // Behind Azure Bot Service the token endpoint says where Direct Line is; otherwise it is ours.
        const directLineDomain = typeof domain === 'string' && /^https?:\/\//.test(domain) ? domain : `${w.origin}/v3/directline`;
        w.conversationId = conversationId;
        w.store = window.WebChat.createStore({}, storeMiddleware);
        w.directLine = window.WebChat.createDirectLine({ token, domain: directLineDomain, webSocket: true });
        showNotice(null);
        render();
      } catch (error) {
        console.warn('Rebind chat: could not start the conversation.', error);
        showNotice('failed');
      } finally {
        w.starting = null;
      }
    })();
    return w.starting;
  }

  function open() {
    if (!w.mounted) mount();
    const e = w.els;
    w.open = true;
    e.panel.hidden = false;
    e.root.classList.add('rebind-widget--open');
    e.launcher.setAttribute('aria-expanded', 'true');
    w.focusPending = true; // the send box gets the focus as soon as it exists
    if (w.directLine) applyInputHints();
    else { e.panel.focus(); start(); }
  }

  function close() {
    if (!w.open) return;
    const e = w.els;
    w.open = false;
    w.focusPending = false;
    e.panel.hidden = true;
    e.root.classList.remove('rebind-widget--open');
    e.launcher.setAttribute('aria-expanded', 'false');
    e.launcher.focus();
  }

  /** Switches the widget's and Web Chat's language; the customer's next messages carry the new locale. */
  function setLocale(locale) {
    w.locale = normalizeLocale(locale);
    updateChrome();
    if (w.directLine) render();
  }

  function mount({ element = document.body, locale, origin } = {}) {
    if (w.mounted) return window.RebindWidget;
    w.mounted = true;
    w.locale = normalizeLocale(locale || document.documentElement.lang);
    if (origin) w.origin = String(origin).replace(/\/+$/, '');
    build(element);
    updateChrome();
    return window.RebindWidget;
  }

  window.RebindWidget = {
    mount, open, close, setLocale,
    /** Test hook: a snapshot of what the widget knows. */
    state: () => ({
      open: w.open, locale: w.locale, expecting: w.expecting, otpTarget: w.otpTarget,
      countdown: w.countdown, conversationId: w.conversationId, handoff: w.handoff,
    }),
    /** Test hook: the display masking, as applied to the customer's messages. */
    mask: maskDigits,
  };

  // <script src=".../widget.js" data-rebind-mount="zh-CN"> mounts by itself (no inline script needed).
  if (SCRIPT && SCRIPT.hasAttribute('data-rebind-mount')) {
    const auto = () => mount({ locale: SCRIPT.dataset.rebindMount || undefined });
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', auto);
    else auto();
  }
})();
