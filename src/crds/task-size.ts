/** The Fargate (Linux) task sizes: which memory values go with which cpu. Pure. */

/** Memory range in MiB allowed for one task cpu value. */
interface MemoryRange {
  readonly min: number;
  readonly max: number;
  readonly step: number;
}

/** cpu units → allowed memory, from the ECS task size table. 256 is a list, the rest are stepped ranges. */
const TABLE: ReadonlyMap<number, readonly number[] | MemoryRange> = new Map<
  number,
  readonly number[] | MemoryRange
>([
  [256, [512, 1024, 2048]],
  [512, { min: 1024, max: 4096, step: 1024 }],
  [1024, { min: 2048, max: 8192, step: 1024 }],
  [2048, { min: 4096, max: 16384, step: 1024 }],
  [4096, { min: 8192, max: 30720, step: 1024 }],
  [8192, { min: 16384, max: 61440, step: 4096 }],
  [16384, { min: 32768, max: 122880, step: 8192 }],
]);

/** Task cpu values Fargate accepts. */
export const FARGATE_TASK_CPUS: readonly number[] = [...TABLE.keys()];

/** True when `cpu`/`memory` is a task size Fargate accepts. */
export function isValidTaskSize(cpu: number, memory: number): boolean {
  const allowed = TABLE.get(cpu);
  if (allowed === undefined) return false;
  if (Array.isArray(allowed)) return allowed.includes(memory);
  const range = allowed as MemoryRange;
  return memory >= range.min && memory <= range.max && (memory - range.min) % range.step === 0;
}

/** Human description of the memory values allowed with `cpu`, for hints; undefined for an unknown cpu. */
export function describeMemoryFor(cpu: number): string | undefined {
  const allowed = TABLE.get(cpu);
  if (allowed === undefined) return undefined;
  if (Array.isArray(allowed))
    return `${allowed.slice(0, -1).join(", ")} or ${String(allowed[allowed.length - 1])}`;
  const range = allowed as MemoryRange;
  return `${range.min} to ${range.max} in steps of ${range.step}`;
}
