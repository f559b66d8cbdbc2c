/** Where a response tells partners to fetch an outcome's receipt (a proof or a task). */
export function receiptUrl(outcomeId: string): string {
  return `/api/v1/receipts/${outcomeId}`;
}
