/**
 * The bank's core system as the bot sees it: who holds a card, which number is bound to it, and the
 * change of that number (idempotent, audited by the bank).
 *
 * Adapter: `sqlite.ts` (the embedded demo bank, bank.sqlite, seeded by `loadSeed.ts`). The chart's
 * effects reach it through `resilientBank.ts` (a timeout and a circuit breaker).
 */
import type { IdType } from '../../domain/validation/types';

export type CustomerStatus = 'active' | 'frozen';
export type CardStatus = 'active' | 'frozen' | 'lost';

/** The seed file format (BANK_SEED_PATH). Stable: tools write it. */
export interface BankSeed {
  customers: Array<{
    name: string;
    idType: IdType;
    idNumber: string;
    status: CustomerStatus;
    cards: Array<{ number: string; phone: string; status: CardStatus }>;
  }>;
}

export interface IdentityClaim {
  cardNumber: string;
  idType: IdType;
  idNumber: string;
  /** E.164 */
  phone: string;
}

export type IdentityResult =
  /** Card, ID and phone all match one customer. `standing` says whether a change may go ahead. */
  | { match: true; customerId: string; cardId: string; standing: 'ok' | 'customerFrozen' | 'cardFrozen' | 'cardLost' }
  /** Deliberately carries no detail: the caller must not learn which part was wrong or if the card exists. */
  | { match: false };

export interface ChangeRequest {
  cardId: string;
  /** E.164 numbers */
  oldPhone: string;
  newPhone: string;
  /** Same key → same result, the change happens once. */
  idempotencyKey: string;
  /** Conversation that asked, for the audit trail. */
  conversationId: string;
}

export type ChangeResult =
  | { status: 'changed'; changeId: string; at: number; firstTime: boolean }
  /** The card's bound number is no longer `oldPhone`, or the card/customer is no longer active. */
  | { status: 'conflict' };

export interface BankCore {
  verifyIdentity(claim: IdentityClaim): Promise<IdentityResult>;
  /** Who holds this number as a bound phone: nobody, the same customer, or another customer. */
  phoneOwner(customerId: string, phone: string): Promise<'none' | 'self' | 'other'>;
  changeBoundPhone(req: ChangeRequest): Promise<ChangeResult>;
  /** For tests and tools: the number bound to a card now (E.164), or undefined for an unknown card. */
  boundPhone(cardNumber: string): Promise<string | undefined>;
}
