'use strict';
/**
 * What the chart does: every actor the bot creates is inspected, and the inspection events are counted
 * (events, microsteps, actions, actors started, by the event's type and the actor's source). Written
 * every 5 s (the whole run so far) to <PROBE_DIR>/rebind-probe-chart.log; divide by the turns.
 */
const xstate = require('xstate');
const { every } = require('./common');

const kinds = new Map();
const events = new Map();
const bump = (map, key) => map.set(key, (map.get(key) ?? 0) + 1);
function inspect(e) {
  bump(kinds, e.type);
  if (e.type === '@xstate.event') bump(events, e.event.type);
  if (e.type === '@xstate.actor') bump(kinds, `actor ${typeof e.actorRef.src === 'string' ? e.actorRef.src : '(the chart)'}`);
}
const createActor = xstate.createActor;
Object.defineProperty(xstate, 'createActor', {
  value: (logic, options = {}) => createActor(logic, { ...options, inspect }),
  configurable: true,
  writable: true,
});

const list = (map) => [...map].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${String(n).padStart(8)}  ${k}`).join('\n');
every(5, 'rebind-probe-chart.log', (at) => `after ${at}\n${list(kinds)}\n-- events by type\n${list(events)}\n`, { replace: true });
