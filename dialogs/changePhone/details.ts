import { extractDetails, type Details } from '../../domain/details';
import { maskCard, maskId, maskPhone } from '../../domain/mask';
import { codeTarget } from './replies';
import type { ChartContext, ChartEvent, Reply } from '../types';
import type { Expecting } from '../../domain/expecting';

export type Slot = 'card' | 'idNumber' | 'oldPhone' | 'newPhone';
const SLOTS: Slot[] = ['card', 'idNumber', 'oldPhone', 'newPhone'];

/** The slot each question asks for. */
const ASKED_SLOT: Partial<Record<Expecting, Slot>> = {
  cardNumber: 'card',
  idNumber: 'idNumber',
  oldPhone: 'oldPhone',
  newPhone: 'newPhone',
};

export interface Absorbed {
  /** What to assign to the context. */
  patch: Partial<ChartContext>;
  /** What to tell the customer, if anything beyond the next question. */
  reply?: Reply;
}

function masked(slot: Slot, value: string): string {
  switch (slot) {
    case 'card':
      return maskCard(value);
    case 'idNumber':
      return maskId(value);
    default:
      return maskPhone(value);
  }
}

/** Whether a value differs from what the flow holds (IDs are held masked once verified). */
function differs(context: ChartContext, slot: Slot, value: string): boolean {
  const held = context[slot];
  if (held === undefined) return true;
  if (slot === 'idNumber' && context.passed.identity) return maskId(value) !== held;
  return held !== value;
}

/**
 * Takes the details a customer gave in one sentence into the flow: new values fill empty slots,
 * different values replace (a correction). A change to anything a check or a code depended on
 * undoes that check and voids that code. Undefined when the sentence brings nothing usable.
 */
export function absorbDetails(context: ChartContext, details: Details): Absorbed | undefined {
  const values: Partial<Record<Slot, string>> = {
    card: details.card,
    idNumber: details.idNumber,
    oldPhone: details.oldPhone,
    newPhone: details.newPhone,
  };
  const oldPhone = values.oldPhone ?? context.oldPhone;
  // A new number equal to the current one is not a detail, it is a mistake the question refuses.
  if (values.newPhone !== undefined && values.newPhone === oldPhone) delete values.newPhone;

  const changed = SLOTS.filter((s) => values[s] !== undefined && differs(context, s, values[s] as string));
  if (changed.length === 0) return undefined;
  const corrected = changed.filter((s) => context[s] !== undefined);

  const patch: Partial<ChartContext> = {};
  for (const s of changed) patch[s] = values[s];
  if (changed.includes('idNumber')) patch.idType = details.idType;

  let voided = false;
  const codes = { ...context.codes };
  if (changed.some((s) => s !== 'newPhone')) {
    // Who the customer is was not checked with these details: check again, every code is void.
    voided = codes.sentOld !== undefined || codes.sentNew !== undefined;
    patch.passed = { identity: false, oldCode: false, newCode: false };
    patch.customerId = undefined;
    patch.cardId = undefined;
    patch.newPhoneFree = undefined;
    patch.newCodeId = undefined;
    if (changed.includes('oldPhone')) patch.reachable = undefined;
    codes.old += 1;
    codes.new += 1;
    codes.sentOld = undefined;
    codes.sentNew = undefined;
  } else {
    // Only the new number changed: the current number's check and code still stand.
    voided = codes.sentNew !== undefined;
    patch.passed = { ...context.passed, newCode: false };
    patch.newPhoneFree = undefined;
    patch.newCodeId = undefined;
    codes.new += 1;
    codes.sentNew = undefined;
  }
  patch.codes = codes;

  const lines = changed.map((s) => ({ key: `noted.${s}`, params: { value: masked(s, values[s] as string) } }));
  if (corrected.length > 0) {
    return {
      patch,
      reply: {
        key: 'details.corrected',
        lines: voided ? [...lines, { key: 'details.codeVoided' }] : lines,
      },
    };
  }
  const expected = context.expecting ? ASKED_SLOT[context.expecting] : undefined;
  const justTheAnswer = changed.length === 1 && changed[0] === expected;
  return { patch, reply: justTheAnswer ? undefined : { key: 'details.noted', lines } };
}

/**
 * Details already read from a message, per question: the guard that looks for details and the
 * action that takes them read the same message in the same light, so it is parsed once.
 */
const readDetails = new WeakMap<ChartEvent, { hint: string; details: Details }>();

/** The details in what the customer said, read in the light of the question on screen. */
export function detailsIn(context: ChartContext, event: ChartEvent): Details {
  if (event.type !== 'SAID') return { corrected: [] };
  const hint = { expecting: context.expecting, otpTarget: codeTarget(context) };
  const key = `${hint.expecting ?? ''}/${hint.otpTarget}`;
  const known = readDetails.get(event);
  if (known?.hint === key) return known.details;
  const details = extractDetails(event.text, hint);
  readDetails.set(event, { hint: key, details });
  return details;
}
