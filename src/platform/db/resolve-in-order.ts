/** Hands each waiting caller of a batch its own result: one result per item, in the items' order, or the batch fails. */
export function resolveInOrder<Result>(waiting: readonly { resolve(result: Result): void }[], results: readonly Result[], batcher: string): void {
  if (results.length !== waiting.length) throw new Error(`${batcher}: ${results.length} results for ${waiting.length} items`);
  waiting.forEach((item, index) => item.resolve(results[index]!));
}
