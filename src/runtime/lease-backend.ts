/**
 * What leader election needs from storage. The store's `DynamoLeases` (src/store/lease.ts) satisfies it; the
 * in-memory fake in test/support does too. Lost conditions throw the store's LeaseConflictError.
 */

/** A lease as stored (`pk=_lease, sk=<name>` in the store's table). */
export interface LeaseRecord {
  holder: string;
  /** Rotated by every acquire and renew; contenders watch it for change. */
  recordVersionNumber: string;
  /** How long contenders wait on an unchanged version before taking over (ms). */
  leaseDurationMs: number;
}

/** Lease storage with compare-and-set on the record version. */
export interface LeaseBackend {
  /** The lease, or undefined when nobody holds it (never written, or released). */
  readLease(name: string): Promise<LeaseRecord | undefined>;
  /** Takes the lease: with `expectedRecordVersion` null only if none exists, else only if its version is that one. */
  acquireLease(
    name: string,
    holder: string,
    leaseDurationMs: number,
    expectedRecordVersion: string | null,
  ): Promise<LeaseRecord>;
  /** Rotates the version of a lease `holder` holds at `currentRecordVersion`; returns the new version. */
  renewLease(name: string, holder: string, currentRecordVersion: string): Promise<string>;
  /** Gives the lease up (deletes it); already gone is fine. */
  releaseLease(name: string, holder: string, recordVersion: string): Promise<void>;
}
