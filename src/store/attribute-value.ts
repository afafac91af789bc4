/**
 * Converts raw DynamoDB AttributeValue maps (stream images, `Item` on a failed condition) to plain JSON.
 * The document client does this for ordinary reads; streams and SDK errors hand us the raw wire shape.
 */

/** The wire shape of one attribute value, loose enough for both the DynamoDB and the Streams SDK types. */
export interface RawAttributeValue {
  S?: string;
  N?: string;
  BOOL?: boolean;
  NULL?: boolean;
  M?: Record<string, RawAttributeValue>;
  L?: RawAttributeValue[];
  SS?: string[];
  NS?: string[];
  B?: Uint8Array;
  BS?: Uint8Array[];
}

/** Converts one raw attribute value to JSON (sets become arrays, binary becomes base64). */
export function fromAttributeValue(value: RawAttributeValue): unknown {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.M !== undefined) return fromAttributeMap(value.M);
  if (value.L !== undefined) return value.L.map(fromAttributeValue);
  if (value.SS !== undefined) return [...value.SS];
  if (value.NS !== undefined) return value.NS.map(Number);
  if (value.B !== undefined) return Buffer.from(value.B).toString("base64");
  if (value.BS !== undefined) return value.BS.map((b) => Buffer.from(b).toString("base64"));
  // The Streams client hands an empty map (`{"M": {}}` on the wire) over as `{}`: read it as the empty map it
  // is, or a stream image of `environment: {}` would differ from the same item read with GetItem.
  if (Object.keys(value).length === 0) return {};
  return null;
}

/** Converts a raw attribute map (an item or image) to a plain object. */
export function fromAttributeMap(map: Record<string, RawAttributeValue>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(map)) out[key] = fromAttributeValue(value);
  return out;
}
