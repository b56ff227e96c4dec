/** How a flow ended. Stable: sent as `channelData.outcome` on the last reply of a finished flow. */
export type Outcome = 'phoneChanged' | 'cancelled' | 'handedOff' | 'locked' | 'rejected';
