/** The client side of Consul's documented blocking-query index rules ("Blocking Queries", Implementation Details). Pure. */

/**
 * The `index` to send on the next blocking call, given the one just sent and the `X-Consul-Index` returned:
 * - an index that went backwards (snapshot restore, the last item removed, ...) resets to 0, so the next call
 *   answers at once and the loop restarts from fresh data;
 * - otherwise it is at least 1, because `index=0` never blocks and a buggy 0 would turn the loop into a busy loop.
 */
export function nextBlockingIndex(sent: number, returned: number): number {
  if (returned < sent) return 0;
  return Math.max(1, returned);
}
