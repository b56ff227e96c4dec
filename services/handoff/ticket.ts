import { randomBytes } from 'node:crypto';

/** Tickets a customer can read out on the phone: no 0/O/1/I. */
const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export function newTicket(bytes: (n: number) => Buffer = randomBytes): string {
  let out = '';
  for (const b of bytes(8)) out += ALPHABET[b % ALPHABET.length];
  return `H${out}`;
}
