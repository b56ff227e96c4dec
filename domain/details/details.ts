import type { IdType } from '../validation/types';

/** Details found in a customer's sentence (see extractDetails); the chart keeps them in its context. */
export interface Details {
  /** Digits only, a valid card number. */
  card?: string;
  idType?: IdType;
  /** A valid resident ID (upper case) or passport number. */
  idNumber?: string;
  /** E.164 mobile numbers. */
  oldPhone?: string;
  newPhone?: string;
  /** Six digits. */
  code?: string;
  /** The slots the customer labelled or framed as a correction ("不对，卡号是…", "actually the new number is…"). */
  corrected: Array<'card' | 'idNumber' | 'oldPhone' | 'newPhone'>;
}
