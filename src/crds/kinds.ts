/** Kind names as the CLI accepts them: singular, plural and short forms, case-insensitive. Pure. */
import { UnknownKindError } from "./errors.js";
import { KINDS, type Kind } from "./meta.js";

/** The spellings of one kind on the command line. */
export interface KindNames {
  readonly singular: string;
  readonly plural: string;
  readonly short: string;
}

/** Every kind's CLI spellings (all lowercase). */
export const KIND_NAMES: Readonly<Record<Kind, KindNames>> = {
  FargateService: { singular: "fargateservice", plural: "fargateservices", short: "fs" },
  CloudMapNamespace: { singular: "cloudmapnamespace", plural: "cloudmapnamespaces", short: "cmns" },
  CatalogSync: { singular: "catalogsync", plural: "catalogsyncs", short: "cs" },
  NamespacePolicy: { singular: "namespacepolicy", plural: "namespacepolicies", short: "np" },
};

const LOOKUP: ReadonlyMap<string, Kind> = new Map(
  KINDS.flatMap((kind) => {
    const names = KIND_NAMES[kind];
    return [names.singular, names.plural, names.short].map((form) => [form, kind] as const);
  }),
);

/** The valid forms, for error messages: `fargateservice (fargateservices, fs), ...`. */
export function describeKindForms(): string {
  return KINDS.map((kind) => {
    const names = KIND_NAMES[kind];
    return `${names.singular} (${names.plural}, ${names.short})`;
  }).join(", ");
}

/** Resolves a CLI kind name to a Kind; throws UnknownKindError listing the valid forms. */
export function resolveKind(input: string): Kind {
  const kind = LOOKUP.get(input.trim().toLowerCase());
  if (kind === undefined) {
    throw new UnknownKindError(
      input,
      `unknown kind ${JSON.stringify(input)}; use one of: ${describeKindForms()}`,
    );
  }
  return kind;
}
