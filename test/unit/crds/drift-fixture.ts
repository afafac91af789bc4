/** Deliberately drifted types for the schema/type drift test's self-check. Not used by the product. */

/** Missing `b`, has an extra `extra`, and `c` is optional though the schema requires it. */
export type DriftedObject = {
  a: string;
  c?: number;
  extra?: boolean;
  nested: { inner: string }[];
};
