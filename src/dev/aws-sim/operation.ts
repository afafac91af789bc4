import type { Input } from "./input.js";

/** One simulated API operation: reads its input, changes state, returns the output structure. */
export type Handler = (input: Input) => unknown;

/** Operations of one API by name (the part of `X-Amz-Target` after the dot). */
export type HandlerTable = Readonly<Record<string, Handler>>;
