/**
 * Waits until the local stack has delivered every delivery receipt it scheduled (the outbox delivers
 * each about a second after its SMS, later when a receipt overtakes its SMS's id and is retried), so
 * that a seal taken next covers them. Throws if they do not settle within `timeoutMs`.
 */
export async function receiptsSettled(baseUrl: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { pending } = (await (await fetch(`${baseUrl}/_local/delivery/pending`)).json()) as { pending: number };
    if (pending === 0) return;
    if (Date.now() > deadline) throw new Error(`${pending} delivery receipts still pending after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
