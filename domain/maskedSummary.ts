import type { Expecting } from './expecting';

/** Which checks of a change have passed. */
export interface ChecksPassed {
  identity: boolean;
  oldCode: boolean;
  newCode: boolean;
}

/** What an agent may see of a flow: never a full card, ID or phone number. */
export interface MaskedSummary {
  card?: string;
  idNumber?: string;
  oldPhone?: string;
  newPhone?: string;
  passed: ChecksPassed;
  stoppedAt?: Expecting;
}
