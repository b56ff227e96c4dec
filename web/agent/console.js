/*
 * Rebind agent console (served at /agent): sign in with a token, watch the live queue over
 * Server-Sent Events, claim a customer, read the bot's masked context and transcript, reply, then
 * hand back to the bot or close. Plain JS, no build step, CSP-friendly (no inline script or style).
 *
 * Safety: everything that comes from the server (customer, bot and agent text, masked values,
 * error messages) is put on the page with textContent / text nodes only, never innerHTML.
 * Test hooks: data-testid attributes (see index.html) and window.RebindConsole.state().
 */
(() => {
  'use strict';

  const API = '/agent/api';
  const TOKEN_KEY = 'rebind.agentToken';

  // ---- Labels ----------------------------------------------------------------------------------
  const REASONS = {
    customerRequest: '客户要求人工', identityLocked: '身份核验已锁定', otpLocked: '验证码已锁定',
    repeatedMisses: '多次未能识别', outOfScope: '超出办理范围', accountAbnormal: '账户异常',
    numberTaken: '新号码已被占用', oldPhoneUnreachable: '原号码收不到短信', complaint: '投诉',
    serviceError: '系统故障', numberCompromised: '原号码已被他人使用（勿向原号码发码）',
  };
  const URGENT = new Set(['complaint', 'accountAbnormal', 'serviceError', 'numberCompromised']);
  const STOPPED = {
    cardNumber: '输入卡号', idNumber: '输入证件号', oldPhone: '输入原手机号',
    oldPhoneReachable: '确认原号码能否收短信', otp: '输入短信验证码', newPhone: '输入新手机号', confirm: '确认变更',
  };
  const CHECKS = [['identity', '身份核验'], ['oldCode', '原号码短信'], ['newCode', '新号码短信']];
  const STATUS = {
    waiting: '排队中 Waiting', withAgent: '人工服务中 With agent', closed: '已结束 Closed',
    returned: '已交还机器人 Back to bot', cancelled: '客户已离开 Cancelled',
  };
  const FROM = { customer: '客户 Customer', bot: '机器人 Bot', agent: '坐席 Agent' };
  const CONN = { open: '已连接 Live', connecting: '连接中… Connecting', closed: '已断开 Offline' };

  // ---- State -----------------------------------------------------------------------------------
  const s = {
    token: null, agentId: null, name: null, agentsOnline: 0, conn: 'closed',
    tickets: new Map(),   // ticket id → Ticket (waiting, mine, and the selected one even once ended)
    callbacks: new Map(), // callback id → Callback
    unread: new Map(),    // ticket id → customer/bot lines not yet seen
    pending: new Map(),   // ticket id → [{ text }] agent replies sent but not yet echoed by the server
    selected: null, shown: { ticket: null, count: -1 }, // what the transcript element holds
    es: null, retryTimer: 0, retryDelay: 2000, clockOffset: 0, busy: false,
  };

  const E = {};
  const now = () => Date.now() + s.clockOffset; // the server's clock, as far as we know it

  /** Small DOM builder: attributes (null/false skipped) and children (strings become text nodes). */
  function el(tag, attrs = {}, children = []) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined && v !== false) node.setAttribute(k, String(v));
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  }
  /** "中文 <small>English</small>" from fixed labels (never data). */
  const bi = (zh, en) => [zh + ' ', el('small', {}, [en])];

  // ---- Formatting ------------------------------------------------------------------------------
  const pad = (n) => String(n).padStart(2, '0');
  function toMs(v) {
    const ms = typeof v === 'number' ? v : Date.parse(v);
    return Number.isFinite(ms) ? ms : NaN;
  }
  function fmtTime(v) {
    const ms = toMs(v);
    if (Number.isNaN(ms)) return v ? String(v) : '—';
    const d = new Date(ms);
    const hms = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
    return d.toDateString() === new Date().toDateString() ? hms : `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hms}`;
  }
  function fmtWait(ms) {
    const sec = Math.max(0, Math.floor(ms / 1000));
    if (sec < 3600) return `${Math.floor(sec / 60)}分${pad(sec % 60)}秒`;
    return `${Math.floor(sec / 3600)}小时${pad(Math.floor(sec / 60) % 60)}分`;
  }
  /** When the customer started waiting: requestedAt, else derived from the server's waitMinutes. */
  function since(t) {
    const ms = toMs(t.requestedAt);
    if (!Number.isNaN(ms)) return ms;
    if (!t._since) t._since = now() - (Number(t.waitMinutes) || 0) * 60000;
    return t._since;
  }
  const localeBadge = (locale) => el('span', { class: 'locale', title: `客户语言 ${locale || '?'}` },
    [/^en/i.test(locale || '') ? 'EN' : /^zh/i.test(locale || '') ? '中文' : String(locale || '?')]);
  const reasonTag = (code) => el('span', { class: `reason${URGENT.has(code) ? ' reason--urgent' : ''}`, title: String(code || '') },
    [REASONS[code] || '其他原因', ' ', el('small', {}, [String(code || '')])]);

  // ---- Derived lists ---------------------------------------------------------------------------
  const isMine = (t) => !!t && t.status === 'withAgent' && t.agentId === s.agentId;
  const relevant = (t) => t.status === 'waiting' || isMine(t);
  const byRequested = (a, b) => since(a) - since(b);
  const waitingList = () => [...s.tickets.values()].filter((t) => t.status === 'waiting')
    .sort((a, b) => (a.position ?? Infinity) - (b.position ?? Infinity) || byRequested(a, b));
  const mineList = () => [...s.tickets.values()].filter(isMine).sort(byRequested);
  const openCallbacks = () => [...s.callbacks.values()].filter((c) => c.status !== 'done')
    .sort((a, b) => toMs(a.requestedAt) - toMs(b.requestedAt));
  const selectedTicket = () => (s.selected ? s.tickets.get(s.selected) : undefined);

  // ---- Server calls ----------------------------------------------------------------------------
  /** POST to the agent API with the bearer token; throws { status, code, message } on failure. */
  async function post(path, body, token = s.token) {
    const headers = { authorization: `Bearer ${token}` };
    if (body) headers['content-type'] = 'application/json';
    const res = await fetch(API + path, { method: 'POST', headers, body: body ? JSON.stringify(body) : undefined, cache: 'no-store' });
    const data = await res.json().catch(() => ({}));
    if (res.ok) return { data, res };
    const err = new Error((data && data.error && data.error.message) || `HTTP ${res.status}`);
    err.status = res.status;
    err.code = data && data.error && data.error.code;
    if (res.status === 401 && token === s.token && s.token) signOut('登录已失效，请重新登录。Your session has ended.');
    throw err;
  }
  const ticketPath = (id, action) => `/tickets/${encodeURIComponent(id)}/${action}`;

  // ---- Sign-in / sign-out ----------------------------------------------------------------------
  async function signIn(token) {
    token = token.trim().replace(/^Bearer\s+/i, '');
    if (!token) return showSigninError('请输入坐席令牌。Please paste your token.');
    E.signinSubmit.disabled = true;
    try {
      const { data, res } = await post('/session', null, token);
      const serverNow = Date.parse(res.headers.get('date') || '');
      s.clockOffset = Number.isFinite(serverNow) && Math.abs(serverNow - Date.now()) > 5000 ? serverNow - Date.now() : 0;
      s.token = token;
      s.agentId = String(data.agentId || '');
      s.name = String(data.name || data.agentId || '');
      sessionStorage.setItem(TOKEN_KEY, token);
      E.token.value = '';
      E.signinError.hidden = true;
      E.agentName.textContent = s.name;
      E.agentId.textContent = s.agentId;
      E.signinView.hidden = true;
      E.app.hidden = false;
      E.session.hidden = false;
      connect();
      render();
    } catch (err) {
      if (err.status === 401) sessionStorage.removeItem(TOKEN_KEY);
      showSigninError(err.status === 401 ? '令牌无效或已停用。Invalid token.' : '暂时无法登录，请稍后重试。Cannot reach the server.');
    } finally {
      E.signinSubmit.disabled = false;
    }
  }
  function showSigninError(text) {
    E.signinError.textContent = text;
    E.signinError.hidden = false;
    E.token.focus();
  }
  /** Forgets the token and every ticket; only the sign-in form stays. */
  function signOut(message) {
    if (s.es) s.es.close();
    clearTimeout(s.retryTimer);
    sessionStorage.removeItem(TOKEN_KEY);
    Object.assign(s, { token: null, agentId: null, name: null, es: null, selected: null, agentsOnline: 0, busy: false, retryDelay: 2000 });
    s.shown = { ticket: null, count: -1 };
    [s.tickets, s.callbacks, s.unread, s.pending].forEach((m) => m.clear());
    for (const list of [E.queue, E.mine, E.callbacks, E.transcript, E.context]) list.replaceChildren();
    E.reply.value = '';
    E.note.value = '';
    E.app.hidden = true;
    E.session.hidden = true;
    E.signinView.hidden = false;
    setConn('closed');
    document.title = '坐席工作台 · 瑞邦银行';
    if (message) showSigninError(message); else E.token.focus();
  }

  // ---- Live updates (SSE) ----------------------------------------------------------------------
  function setConn(state) {
    s.conn = state;
    E.conn.dataset.state = state;
    E.connText.textContent = CONN[state];
  }
  /**
   * Opens (or re-opens, which brings a fresh snapshot) the event stream. EventSource cannot send a
   * header, so the token buys a one-use stream token first: the agent token never goes in a URL.
   */
  async function connect() {
    clearTimeout(s.retryTimer);
    if (s.es) s.es.close();
    s.es = null;
    const token = s.token;
    setConn('connecting');
    let streamToken;
    try {
      ({ data: { streamToken } } = await post('/stream'));
      if (!streamToken) throw new Error('no stream token');
    } catch {
      if (s.token && s.token === token && !s.es) retryLater(); // a 401 has signed out already
      return;
    }
    if (!s.token || s.token !== token || s.es) return; // signed out, or another connect() won, meanwhile
    const es = new EventSource(`${API}/events?stream=${encodeURIComponent(streamToken)}`);
    s.es = es;
    es.addEventListener('open', () => { if (s.es === es) { s.retryDelay = 2000; setConn('open'); } });
    es.addEventListener('error', () => {
      if (s.es !== es) return;
      if (es.readyState === EventSource.CLOSED) retryLater(); // refused (e.g. 401): the browser gives up
      else setConn('connecting');                            // the browser reconnects by itself
    });
    for (const [name, handle] of Object.entries(HANDLERS)) {
      es.addEventListener(name, (event) => {
        if (s.es !== es) return;
        let data;
        try { data = JSON.parse(event.data); } catch { return; }
        handle(data || {});
        render();
      });
    }
  }
  /** After a refused stream: check the token (401 signs out), then reconnect, backing off. */
  function retryLater() {
    if (s.es) s.es.close();
    s.es = null;
    setConn('closed');
    s.retryTimer = setTimeout(async () => {
      try { await post('/session'); if (s.token) connect(); } catch (err) { if (s.token) retryLater(); }
    }, s.retryDelay);
    s.retryDelay = Math.min(s.retryDelay * 2, 30000);
  }

  /** Stores a ticket; keeps unread counts; drops tickets that are no longer ours to see. */
  function upsert(t, prev = s.tickets.get(t && t.ticket)) {
    if (!t || !t.ticket) return;
    t.transcript = Array.isArray(t.transcript) ? t.transcript : [];
    if (prev && t.ticket !== s.selected && isMine(t)) {
      const fresh = t.transcript.slice(prev.transcript.length).filter((l) => l.from !== 'agent').length;
      if (fresh > 0) s.unread.set(t.ticket, (s.unread.get(t.ticket) || 0) + fresh);
    }
    if (relevant(t) || t.ticket === s.selected) s.tickets.set(t.ticket, t);
    else { s.tickets.delete(t.ticket); s.unread.delete(t.ticket); s.pending.delete(t.ticket); }
  }

  /** A ticket that ended without this console's doing (customer left, another agent, the server). */
  function ended(t) {
    const prev = t && s.tickets.get(t.ticket);
    if (prev && !s.busy && (isMine(prev) || t.ticket === s.selected) && prev.status !== t.status) {
      toast(`工单 ${t.ticket}：${STATUS[t.status] || t.status}`);
    }
    upsert(t);
  }

  const HANDLERS = {
    snapshot(d) {
      const old = s.tickets;
      s.tickets = new Map();
      for (const t of [...(d.waiting || []), ...(d.mine || [])]) upsert(t, old.get(t.ticket));
      const sel = s.selected && !s.tickets.has(s.selected) && old.get(s.selected);
      if (sel) s.tickets.set(sel.ticket, relevant(sel) ? { ...sel, stale: true } : sel); // gone while we were away
      for (const id of [...s.unread.keys()]) if (!s.tickets.has(id)) s.unread.delete(id);
      for (const [id, list] of s.pending) s.pending.set(id, list.filter((p) => !p.sent)); // the transcript has them now
      s.callbacks = new Map((d.callbacks || []).map((c) => [String(c.id), c]));
      s.agentsOnline = Number(d.agentsOnline) || 0;
      s.shown.count = -1; // transcripts may have changed: redraw
    },
    queued: (d) => upsert(d.ticket),
    claimed(d) {
      if (d.ticket && d.ticket.ticket === s.selected && !isMine(d.ticket) && !s.busy) toast('该客户已由其他坐席接入。Another agent took this customer.');
      upsert(d.ticket);
    },
    message(d) {
      const t = s.tickets.get(d.ticket);
      if (!t || !d.line) return;
      t.transcript.push(d.line);
      if (d.line.from === 'agent') {
        // Our own reply coming back: it replaces its "sending" copy (the server may have reworded it).
        const pending = s.pending.get(d.ticket) || [];
        let echo = pending.findIndex((p) => p.text === d.line.text);
        if (echo < 0) echo = pending.findIndex((p) => p.sent);
        if (echo >= 0) pending.splice(echo, 1);
      }
      if (d.line.from !== 'agent' && d.ticket !== s.selected && isMine(t)) s.unread.set(d.ticket, (s.unread.get(d.ticket) || 0) + 1);
    },
    closed: (d) => ended(d.ticket),
    returned: (d) => ended(d.ticket),
    cancelled: (d) => ended(d.ticket),
    moved(d) {
      for (const m of d.waiting || []) {
        const t = s.tickets.get(m.ticket);
        if (t) Object.assign(t, { position: m.position, waitMinutes: m.waitMinutes });
      }
    },
    callback(d) { if (d.callback && d.callback.id !== undefined) s.callbacks.set(String(d.callback.id), d.callback); },
    agents(d) { s.agentsOnline = Number(d.agentsOnline) || 0; },
  };

  // ---- Actions ---------------------------------------------------------------------------------
  function select(id) {
    const prev = selectedTicket();
    s.selected = id;
    if (prev && prev.ticket !== id && !relevant(prev)) s.tickets.delete(prev.ticket); // an ended one, now out of view
    s.unread.delete(id);
    render();
  }

  async function claim(id) {
    if (s.busy) return;
    s.busy = true;
    render();
    try {
      const { data } = await post(ticketPath(id, 'claim'));
      upsert(data.ticket || { ...s.tickets.get(id), status: 'withAgent', agentId: s.agentId });
      s.selected = id;
      s.unread.delete(id);
      setTimeout(() => E.reply.focus(), 0);
    } catch (err) {
      if (err.status === 409) {
        toast('抱歉，这位客户刚被其他坐席接入，队列已刷新。Another agent was faster; the queue is refreshed.');
        const t = s.tickets.get(id);
        if (t) upsert({ ...t, status: 'withAgent', agentId: undefined });
        connect(); // a fresh snapshot
      } else if (err.status !== 401) toast(`接入失败，请重试。Claim failed (${err.message}).`, 'error');
    } finally {
      s.busy = false;
      render();
    }
  }

  async function send() {
    const t = selectedTicket();
    const text = E.reply.value.trim();
    if (!isMine(t) || !text) return;
    const item = { text, sent: false };
    const list = s.pending.get(t.ticket) || [];
    s.pending.set(t.ticket, list.concat(item));
    E.reply.value = '';
    render(true);
    try {
      await post(ticketPath(t.ticket, 'messages'), { text });
      item.sent = true;
    } catch (err) {
      s.pending.set(t.ticket, (s.pending.get(t.ticket) || []).filter((p) => p !== item));
      if (!E.reply.value && s.selected === t.ticket) E.reply.value = text; // give the text back
      if (err.status !== 401) toast(`发送失败，请重试。Not sent (${err.message}).`, 'error');
    }
    render();
  }

  /** Hand back to the bot or close; the conversation stays on screen, read-only. */
  async function finish(kind) {
    const t = selectedTicket();
    if (!isMine(t) || s.busy) return;
    s.busy = true;
    render();
    try {
      if (kind === 'handback') await post(ticketPath(t.ticket, 'handback'));
      else await post(ticketPath(t.ticket, 'close'), { resolution: E.resolution.value, note: E.note.value.trim() });
      t.status = kind === 'handback' ? 'returned' : 'closed';
      E.note.value = '';
      E.resolution.value = 'resolved';
      toast(kind === 'handback' ? '已交还机器人，机器人将请客户评价。Handed back to the bot.' : '会话已结束。Conversation closed.');
    } catch (err) {
      if (err.status !== 401) toast(`操作失败，请重试。Failed (${err.message}).`, 'error');
    } finally {
      s.busy = false;
      render();
    }
  }

  async function callbackDone(id) {
    try {
      await post(`/callbacks/${encodeURIComponent(id)}/done`);
      s.callbacks.delete(id);
      toast('回电请求已标记为已处理。Callback done.');
    } catch (err) {
      if (err.status !== 401) toast(`操作失败，请重试。Failed (${err.message}).`, 'error');
    }
    render();
  }

  function toast(text, kind = 'info') {
    const node = el('div', { class: `toast toast--${kind}` }, [text]);
    E.toasts.append(node);
    while (E.toasts.children.length > 3) E.toasts.firstChild.remove();
    setTimeout(() => node.remove(), 7000);
  }

  // ---- Rendering -------------------------------------------------------------------------------
  /** Redraws lists and the open conversation, keeping keyboard focus on the same control. */
  function render(scrollToEnd = false) {
    if (!s.token) return;
    const active = document.activeElement;
    const row = active && active.closest && active.closest('[data-ticket],[data-callback]');
    const keep = row && active.dataset.act ? `[data-${row.dataset.ticket ? 'ticket' : 'callback'}="${CSS.escape(row.dataset.ticket || row.dataset.callback)}"] [data-act="${active.dataset.act}"]` : null;

    const waiting = waitingList();
    const mine = mineList();
    const callbacks = openCallbacks();
    E.queue.replaceChildren(...waiting.map(queueItem));
    E.mine.replaceChildren(...mine.map(mineItem));
    E.callbacks.replaceChildren(...callbacks.map(callbackItem));
    E.queueCount.textContent = waiting.length;
    E.mineCount.textContent = mine.length;
    E.cbCount.textContent = callbacks.length;
    E.queueEmpty.hidden = waiting.length > 0;
    E.mineEmpty.hidden = mine.length > 0;
    E.cbEmpty.hidden = callbacks.length > 0;
    E.agentsOnline.textContent = s.agentsOnline;
    const unread = [...s.unread.values()].reduce((a, b) => a + b, 0);
    document.title = `${waiting.length ? `(${waiting.length}) ` : ''}${unread ? `✉${unread} ` : ''}坐席工作台 · 瑞邦银行`;
    renderConversation(scrollToEnd);
    tick();

    const again = keep && document.querySelector(keep);
    if (again && document.activeElement !== again) again.focus();
  }

  function queueItem(t) {
    const sel = t.ticket === s.selected;
    return el('li', { class: `item qitem${sel ? ' is-selected' : ''}`, 'data-testid': 'queue-item', 'data-ticket': t.ticket }, [
      el('button', { type: 'button', class: 'item__main item__main--stack', 'data-act': 'select', 'aria-current': sel ? 'true' : null }, [
        el('span', { class: 'item__row' }, [el('span', { class: 'qitem__pos', title: '排队位置 Position' }, [`#${t.position ?? '–'}`]), reasonTag(t.reason)]),
        el('span', { class: 'item__row' }, [localeBadge(t.locale), el('span', { class: 'wait', 'data-since': since(t), title: '已等待 Waited' })]),
      ]),
      el('button', { type: 'button', class: 'btn btn--primary btn--small', 'data-act': 'claim', 'data-testid': 'claim', disabled: s.busy }, bi('接入', 'Claim')),
    ]);
  }

  function mineItem(t) {
    const sel = t.ticket === s.selected;
    const n = s.unread.get(t.ticket) || 0;
    const last = t.transcript[t.transcript.length - 1];
    return el('li', { class: `item${sel ? ' is-selected' : ''}`, 'data-testid': 'mine-item', 'data-ticket': t.ticket }, [
      el('button', { type: 'button', class: 'item__main item__main--stack', 'data-act': 'select', 'aria-current': sel ? 'true' : null }, [
        el('span', { class: 'item__row' }, [
          reasonTag(t.reason), localeBadge(t.locale),
          n ? el('span', { class: 'unread', 'data-testid': 'unread', 'aria-label': `${n} 条未读` }, [String(n)]) : null,
        ]),
        el('span', { class: 'item__preview' }, [last ? `${FROM[last.from] ? FROM[last.from].split(' ')[0] : ''}：${String(last.text || '')}` : t.ticket]),
      ]),
    ]);
  }

  function callbackItem(c) {
    const ctx = c.context || {};
    return el('li', { class: 'item cbitem', 'data-testid': 'callback-item', 'data-callback': c.id }, [
      el('div', { class: 'item__main item__main--stack' }, [
        el('span', { class: 'item__row' }, [reasonTag(c.reason), localeBadge(c.locale)]),
        el('span', { class: 'item__detail' }, [`希望回电 Preferred: ${fmtTime(c.preferredTime)}`]),
        el('span', { class: 'item__detail muted' }, [`${ctx.card || '—'} · ${ctx.oldPhone || '—'} → ${ctx.newPhone || '—'} · 请求于 ${fmtTime(c.requestedAt)}`]),
      ]),
      el('button', { type: 'button', class: 'btn btn--ghost btn--small', 'data-act': 'done', 'data-testid': 'callback-done' }, bi('已处理', 'Done')),
    ]);
  }

  function renderConversation(scrollToEnd) {
    const t = selectedTicket();
    E.convEmpty.hidden = !!t;
    E.convView.hidden = !t;
    if (!t) { s.shown = { ticket: null, count: -1 }; return; }
    const mine = isMine(t);
    E.convTitle.textContent = `工单 ${t.ticket}`;
    E.convStatus.textContent = STATUS[t.status] || String(t.status);
    E.convStatus.dataset.status = t.status;
    const banner = t.stale ? '该会话已不在队列中（可能已结束或转出）。No longer active.'
      : t.status === 'withAgent' && !mine ? '该客户已由其他坐席接入。Another agent has this customer.'
      : t.status === 'waiting' ? '预览中：接入后才能回复。Preview only: claim to reply.'
      : !mine ? '会话已结束，仅供查看。Read-only.' : '';
    E.convBanner.textContent = banner;
    E.convBanner.hidden = !banner;
    E.convClaim.hidden = t.status !== 'waiting' || !!t.stale;
    E.convClaim.disabled = s.busy;
    for (const c of [E.reply, E.send, E.handback, E.close, E.resolution, E.note]) c.disabled = !mine || s.busy;
    E.reply.placeholder = mine ? E.reply.dataset.placeholder : '接入后可回复 · Claim to reply';
    if (s.shown.context !== t) renderContext(t); // a new ticket, or a new copy of it from the server
    renderTranscript(t, scrollToEnd);
  }

  /** The transcript: appends new lines when it can, redraws otherwise; follows the end if it was there. */
  function renderTranscript(t, scrollToEnd) {
    const box = E.transcriptBox; // the log that scrolls; its list is E.transcript
    const list = E.transcript;
    const pending = s.pending.get(t.ticket) || [];
    const lines = t.transcript.concat(pending.map((p) => ({ from: 'agent', text: p.text, pending: !p.sent })));
    const atEnd = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
    const same = s.shown.ticket === t.ticket;
    if (same && !pending.length && !s.shown.pending && lines.length >= s.shown.count && s.shown.count >= 0) {
      list.append(...lines.slice(s.shown.count).map(lineItem));
    } else {
      const top = box.scrollTop;
      list.replaceChildren(...lines.map(lineItem));
      if (same) box.scrollTop = top;
    }
    if (!same || atEnd || scrollToEnd) box.scrollTop = box.scrollHeight;
    Object.assign(s.shown, { ticket: t.ticket, count: lines.length, pending: pending.length > 0 });
  }

  function lineItem(line) {
    const from = FROM[line.from] ? line.from : 'bot';
    return el('li', { class: `line line--${from}${line.pending ? ' line--pending' : ''}` }, [
      el('div', { class: 'line__meta' }, [FROM[from], ' · ', line.pending ? '发送中… sending' : fmtTime(line.at)]),
      el('div', { class: 'line__text' }, [String(line.text ?? '')]),
    ]);
  }

  /** The context card: the masked details the bot collected and how far the customer got. */
  function renderContext(t) {
    const c = t.context || {};
    const passed = c.passed || {};
    const value = (v) => (v ? el('span', { class: 'mono' }, [String(v)]) : el('span', { class: 'muted' }, ['未提供 —']));
    const row = (zh, en, ...content) => [el('dt', {}, bi(zh, en)), el('dd', {}, content)];
    const chips = el('span', { class: 'chips' }, CHECKS.map(([key, label]) =>
      el('span', { class: `chip ${passed[key] ? 'chip--ok' : 'chip--no'}`, 'data-check': key, 'data-passed': String(!!passed[key]) },
        [`${passed[key] ? '✓' : '✗'} ${label}`])));
    const stopped = c.stoppedAt ? [STOPPED[c.stoppedAt] || '其他', ' ', el('small', {}, [String(c.stoppedAt)])] : ['—'];
    s.shown.context = t;
    E.context.replaceChildren(
      el('h3', {}, bi('客户信息', 'Context')),
      el('div', { class: 'ctx__note', role: 'note' }, [
        el('strong', {}, ['⚠ 客户仍需自行完成短信验证']),
        el('p', {}, ['坐席无法代客户更换绑定手机号，也不得索取验证码；请引导客户交还机器人后自行完成短信验证。']),
        el('p', { class: 'small' }, ['Agents cannot make the change or ask for codes: the customer finishes the SMS checks with the bot.']),
      ]),
      el('dl', { class: 'ctx' }, [
        ...row('银行卡', 'Card', value(c.card)),
        ...row('证件号', 'ID', value(c.idNumber)),
        ...row('原手机号', 'Old number', value(c.oldPhone)),
        ...row('新手机号', 'New number', value(c.newPhone)),
        ...row('已通过核验', 'Checks', chips),
        ...row('流程停在', 'Stopped at', ...stopped),
        ...row('转人工原因', 'Reason', reasonTag(t.reason)),
        ...row('客户语言', 'Locale', localeBadge(t.locale), /^en/i.test(t.locale || '') ? ' 请用英文回复 Reply in English' : ''),
        ...row('请求时间', 'Requested', fmtTime(t.requestedAt)),
        ...row('工单号', 'Ticket', value(t.ticket)),
        ...row('会话', 'Conversation', el('span', { class: 'mono small' }, [String(t.conversationId || '—')])),
      ]),
    );
  }

  /** Once a second: the waiting times (no redraw, so focus and clicks are undisturbed). */
  function tick() {
    const t0 = now();
    for (const node of document.querySelectorAll('.wait[data-since]')) {
      const waited = t0 - Number(node.dataset.since);
      node.textContent = fmtWait(waited);
      const item = node.closest('.item');
      if (item) { item.classList.toggle('is-long', waited >= 5 * 60000); item.classList.toggle('is-very-long', waited >= 10 * 60000); }
    }
  }

  // ---- Wiring ----------------------------------------------------------------------------------
  function init() {
    // Every element with an id, by camelCased id: 'conv-view' → E.convView.
    for (const node of document.querySelectorAll('[id]')) E[node.id.replace(/-(\w)/g, (_, c) => c.toUpperCase())] = node;
    E.reply.dataset.placeholder = E.reply.placeholder;

    E.signinForm.addEventListener('submit', (e) => { e.preventDefault(); signIn(E.token.value); });
    E.signout.addEventListener('click', () => signOut());
    // Lists: one delegated handler each; buttons say what they do in data-act.
    const onList = (e) => {
      const button = e.target.closest('button[data-act]');
      const row = button && button.closest('[data-ticket],[data-callback]');
      if (!row) return;
      if (button.dataset.act === 'select') select(row.dataset.ticket);
      else if (button.dataset.act === 'claim') claim(row.dataset.ticket);
      else if (button.dataset.act === 'done') { button.disabled = true; callbackDone(row.dataset.callback); }
    };
    for (const list of [E.queue, E.mine, E.callbacks]) list.addEventListener('click', onList);
    E.convClaim.addEventListener('click', () => s.selected && claim(s.selected));
    E.replyForm.addEventListener('submit', (e) => { e.preventDefault(); send(); });
    E.reply.addEventListener('keydown', (e) => {
      // Enter sends, Shift+Enter is a new line; never while an IME (pinyin) is composing.
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) { e.preventDefault(); send(); }
    });
    E.handback.addEventListener('click', () => finish('handback'));
    E.close.addEventListener('click', () => finish('close'));
    setInterval(tick, 1000);

    window.RebindConsole = {
      state: () => ({
        signedIn: !!s.token, agentId: s.agentId, selected: s.selected,
        waiting: s.token ? waitingList().length : 0, mine: s.token ? mineList().length : 0,
      }),
    };

    const saved = sessionStorage.getItem(TOKEN_KEY);
    if (saved) signIn(saved); else E.token.focus();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
