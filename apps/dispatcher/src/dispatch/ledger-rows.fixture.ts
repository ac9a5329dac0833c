import { type LedgerRow } from './dispatch-ledger';

/** For the send pipeline's unit specs: a claimed send of `phoneNumberId` as the ledger hands it out (no message unless given). */
export function ledgerRow(phoneNumberId: string, decisionId: string, overrides: Partial<LedgerRow> = {}): LedgerRow {
  return {
    decisionId,
    personId: 'p'.repeat(64),
    businessId: 'b',
    campaignId: 'c',
    phoneNumberId,
    kind: 'template',
    message: null,
    attempts: 1,
    marketingLimitRetries: 0,
    claimEpoch: '1',
    ...overrides,
  };
}
