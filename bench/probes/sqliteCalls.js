'use strict';
/**
 * Times every better-sqlite3 `exec` (BEGIN, COMMIT with its automatic checkpoints, …), every run of a
 * writing statement and every get or all of a query, by its SQL: count, total, mean, how many took
 * over 2 ms, the longest; and all of them together; and the transaction functions, counted. Written every 5 s (the whole run so far) to
 * <PROBE_DIR>/rebind-probe-sqlite.log.
 */
const Database = require('better-sqlite3');
const { every } = require('./common');

const stats = new Map();
function note(key, ns) {
  let s = stats.get(key);
  if (!s) stats.set(key, (s = { n: 0, ns: 0, slow: 0, max: 0 }));
  s.n += 1;
  s.ns += ns;
  if (ns > 2e6) s.slow += 1;
  if (ns > s.max) s.max = ns;
}
const label = (sql) => sql.replace(/\s+/g, ' ').trim().slice(0, 60);

const exec = Database.prototype.exec;
Database.prototype.exec = function timedExec(sql) {
  const t = process.hrtime.bigint();
  try {
    return exec.call(this, sql);
  } finally {
    note(`exec ${label(sql)}`, Number(process.hrtime.bigint() - t));
  }
};
const prepare = Database.prototype.prepare;
Database.prototype.prepare = function timedPrepare(...args) {
  const statement = prepare.apply(this, args);
  for (const method of statement.reader ? ['get', 'all'] : ['run']) {
    const original = statement[method];
    const key = `${method} ${label(String(args[0]))}`;
    statement[method] = function timed(...params) {
      const t = process.hrtime.bigint();
      try {
        return original.apply(this, params);
      } finally {
        note(key, Number(process.hrtime.bigint() - t));
      }
    };
  }
  return statement;
};

/**
 * Transaction functions (better-sqlite3's `db.transaction(fn)`): a BEGIN … COMMIT, or inside an open
 * transaction (the group commit's) a SAVEPOINT … RELEASE. Counted apart, by the function's source
 * position, and not added to the total: their time includes their statements'.
 */
const transactions = new Map();
const transaction = Database.prototype.transaction;
Database.prototype.transaction = function countedTransaction(fn) {
  const tx = transaction.call(this, fn);
  const where = (new Error().stack || '').split('\n')[2]?.trim().replace(/^at /, '').replace(process.cwd() + '/', '') ?? '?';
  const wrap = (variant) =>
    function counted(...args) {
      const t = process.hrtime.bigint();
      try {
        return variant.apply(this, args);
      } finally {
        let s = transactions.get(where);
        if (!s) transactions.set(where, (s = { n: 0, ns: 0 }));
        s.n += 1;
        s.ns += Number(process.hrtime.bigint() - t);
      }
    };
  const counted = wrap(tx);
  return Object.assign(counted, { default: counted, deferred: wrap(tx.deferred), immediate: wrap(tx.immediate), exclusive: wrap(tx.exclusive) });
};

every(
  5,
  'rebind-probe-sqlite.log',
  (at) =>
    `after ${at}: ${([...stats.values()].reduce((sum, s) => sum + s.ns, 0) / 1e6).toFixed(0)} ms in all\n` +
    [...stats]
      .sort((a, b) => b[1].ns - a[1].ns)
      .map(([k, s]) => `${(s.ns / 1e6).toFixed(0).padStart(6)} ms ${String(s.n).padStart(7)} × ${(s.ns / s.n / 1e3).toFixed(1).padStart(7)} µs, over 2 ms ${s.slow}, longest ${(s.max / 1e6).toFixed(1)} ms  ${k}`)
      .join('\n') +
    '\ntransaction functions (time with their statements), by where they were made:\n' +
    [...transactions]
      .sort((a, b) => b[1].n - a[1].n)
      .map(([k, s]) => `${String(s.n).padStart(7)} × ${(s.ns / s.n / 1e3).toFixed(1).padStart(7)} µs  ${k}`)
      .join('\n') +
    '\n',
  { replace: true },
);
