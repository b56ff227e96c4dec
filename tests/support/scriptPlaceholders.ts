/**
 * Placeholders in scripts and transcripts, so that neither holds a live secret: codes are read from the
 * outbox when the turn runs, the customer's numbers come from the setup.
 *
 *   {{customer.card}} {{customer.idNumber}} {{customer.phone}}   as the customer types them (national)
 *   {{customer.e164}} {{newPhone}} {{newPhone.e164}}
 *   {{masked.card}} {{masked.idNumber}} {{masked.phone}} {{masked.newPhone}}   as the bot shows them
 *   {{code}}             the latest code sent to any number
 *   {{code:old}}         the latest code sent to the customer's number; {{code:new}} to the new number;
 *   {{code:18699998888}} to that number (national or +86)
 *   {{code:old@1}}       the first code sent to that number (@2 the second…; @-2 the one before the latest)
 *   {{wrongCode}}        six digits that are no code sent so far
 */
import { maskCard, maskId, maskPhone } from '../../domain/mask';
import type { RecordingSms } from './harness';

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const FIXED = new Set([
  'customer.card',
  'customer.idNumber',
  'customer.phone',
  'customer.e164',
  'newPhone',
  'newPhone.e164',
  'masked.card',
  'masked.idNumber',
  'masked.phone',
  'masked.newPhone',
  'code',
  'wrongCode',
]);
const CODE = /^code:(old|new|\+?\d{11,13})(?:@(-?[1-9]\d*))?$/;

/** Problems with the placeholders of a text (unknown names, unclosed braces); empty when fine. */
export function checkPlaceholders(text: string): string[] {
  const problems: string[] = [];
  for (const [, name = ''] of text.matchAll(PLACEHOLDER)) {
    if (!FIXED.has(name) && !CODE.test(name)) problems.push(`unknown placeholder {{${name}}}`);
  }
  const rest = text.replace(PLACEHOLDER, '');
  if (rest.includes('{{') || rest.includes('}}')) problems.push('unbalanced {{ }}');
  return problems;
}

export const hasPlaceholders = (text: string): boolean => new RegExp(PLACEHOLDER.source).test(text);

/** The customer of a script: what they type. */
export interface ScriptCustomer {
  card: string;
  idNumber: string;
  /** National form, e.g. 13800138000. */
  phone: string;
}

/** +86 in front of a national CN mobile; other forms as they are (digits and a leading +). */
export function e164(phone: string): string {
  const plain = phone.replace(/[^\d+]/g, '');
  return plain.startsWith('+') ? plain : `+86${plain}`;
}
export const national = (phone: string): string => e164(phone).replace(/^\+86/, '');

/** What placeholders are resolved against. Without a customer, only codes resolve (transcripts). */
export interface PlaceholderContext {
  sms: RecordingSms;
  customer?: ScriptCustomer;
  newPhone?: string;
}

/** Every 6-digit code sent to `phone` (E.164), or to anyone, oldest first. */
export function codesSent(sms: RecordingSms, phone?: string): string[] {
  return (phone ? sms.to(phone) : sms.sent)
    .map((m) => /(?<!\d)(\d{6})(?!\d)/.exec(m.text)?.[1])
    .filter((c): c is string => c !== undefined);
}

/** The value of one placeholder; throws with the reason when it cannot be had (e.g. no code yet). */
export function placeholderValue(name: string, ctx: PlaceholderContext): string {
  const customer = (): ScriptCustomer => {
    if (!ctx.customer) throw new Error(`{{${name}}} needs a customer`);
    return ctx.customer;
  };
  const newPhone = (): string => {
    if (!ctx.newPhone) throw new Error(`{{${name}}} needs a new number`);
    return ctx.newPhone;
  };
  switch (name) {
    case 'customer.card':
      return customer().card;
    case 'customer.idNumber':
      return customer().idNumber;
    case 'customer.phone':
      return national(customer().phone);
    case 'customer.e164':
      return e164(customer().phone);
    case 'newPhone':
      return national(newPhone());
    case 'newPhone.e164':
      return e164(newPhone());
    case 'masked.card':
      return maskCard(customer().card);
    case 'masked.idNumber':
      return maskId(customer().idNumber);
    case 'masked.phone':
      return maskPhone(customer().phone);
    case 'masked.newPhone':
      return maskPhone(newPhone());
    case 'code': {
      const code = codesSent(ctx.sms).at(-1);
      if (!code) throw new Error('{{code}}: no code has been sent yet');
      return code;
    }
    case 'wrongCode': {
      const sent = new Set(codesSent(ctx.sms));
      for (let d = 0; d <= 9; d += 1) {
        const candidate = String(d).repeat(6);
        if (!sent.has(candidate)) return candidate;
      }
      throw new Error('{{wrongCode}}: every repeated-digit code was sent');
    }
  }
  const code = CODE.exec(name);
  if (code) {
    const [, who = '', nth] = code;
    const phone = who === 'old' ? e164(customer().phone) : who === 'new' ? e164(newPhone()) : e164(who);
    const codes = codesSent(ctx.sms, phone);
    const value = nth === undefined ? codes.at(-1) : Number(nth) < 0 ? codes.at(Number(nth)) : codes[Number(nth) - 1];
    if (!value) {
      throw new Error(`{{${name}}}: ${codes.length} code(s) sent to ${maskPhone(phone)}${nth ? `, not ${nth}` : ''}`);
    }
    return value;
  }
  throw new Error(`unknown placeholder {{${name}}}`);
}

/** Replaces every placeholder; `escape` transforms each value (e.g. for a regular expression). */
export function resolvePlaceholders(text: string, ctx: PlaceholderContext, escape: (value: string) => string = (v) => v): string {
  return text.replace(PLACEHOLDER, (_, name: string) => escape(placeholderValue(name, ctx)));
}

export const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
