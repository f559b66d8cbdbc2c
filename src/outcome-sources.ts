import type { OutcomeSources } from '#modules/ledger/outcome-sources.ts';
import { teeTaskOutcomes } from '#modules/attestations/ledger-outcome-source.ts';
import { evidenceOutcomes } from '#modules/evidence/ledger-outcome-source.ts';
import { certificateOutcomes, certificateRevocationOutcomes } from '#modules/certificates/ledger-outcome-source.ts';
import { zkProofOutcomes } from '#modules/zk/verify/ledger-outcome-source.ts';

/** Every kind of outcome the platform logs, registered with the ledger here (the ledger imports no outcome module). */
export const OUTCOME_SOURCES: OutcomeSources = new Map([
  ['zk_proof', zkProofOutcomes],
  ['tee_task', teeTaskOutcomes],
  ['evidence', evidenceOutcomes],
  ['certificate', certificateOutcomes],
  ['certificate_revocation', certificateRevocationOutcomes],
]);
