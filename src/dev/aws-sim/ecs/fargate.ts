/** Fargate task sizes: CPU units → allowed memory (MiB), from the ECS task-size table. */
const FARGATE_SIZES: ReadonlyArray<{ cpu: number; memory: (m: number) => boolean }> = [
  { cpu: 256, memory: (m) => [512, 1024, 2048].includes(m) },
  { cpu: 512, memory: (m) => m >= 1024 && m <= 4096 && m % 1024 === 0 },
  { cpu: 1024, memory: (m) => m >= 2048 && m <= 8192 && m % 1024 === 0 },
  { cpu: 2048, memory: (m) => m >= 4096 && m <= 16384 && m % 1024 === 0 },
  { cpu: 4096, memory: (m) => m >= 8192 && m <= 30720 && m % 1024 === 0 },
  { cpu: 8192, memory: (m) => m >= 16384 && m <= 61440 && m % 4096 === 0 },
  { cpu: 16384, memory: (m) => m >= 32768 && m <= 122880 && m % 8192 === 0 },
];

/** True when `cpu` units and `memory` MiB are a valid Fargate task size. */
export function isFargateSize(cpu: number, memory: number): boolean {
  return FARGATE_SIZES.some((s) => s.cpu === cpu && s.memory(memory));
}

/** ECS accepts "1 vCPU" / "0.5 vcpu" and stores CPU units ("1024"); undefined when unreadable. */
export function normaliseCpu(value: string): string | undefined {
  const vcpu = /^\s*(\d+(?:\.\d+)?)\s*vcpu\s*$/i.exec(value);
  if (vcpu?.[1] !== undefined) return String(Math.round(Number(vcpu[1]) * 1024));
  return /^\s*\d+\s*$/.test(value) ? value.trim() : undefined;
}

/** ECS accepts "2 GB" / "2GB" and stores MiB ("2048"); undefined when unreadable. */
export function normaliseMemory(value: string): string | undefined {
  const gb = /^\s*(\d+(?:\.\d+)?)\s*gb\s*$/i.exec(value);
  if (gb?.[1] !== undefined) return String(Math.round(Number(gb[1]) * 1024));
  return /^\s*\d+\s*$/.test(value) ? value.trim() : undefined;
}
