// A training job's configuration: what the built-in LoRA trainer does with a base model
// and a datanet version. Checked once, here, when the job is submitted (a bad config is
// refused before any money is escrowed), and hashed in canonical form so that the model
// registered from the job can name exactly the config it was trained with.
import { createHash } from 'node:crypto';
import { canonicalize } from '../../protocol/canonical.ts';

export const LORA_TARGET_NAMES = ['q', 'k', 'v', 'o', 'ffn'] as const;
export type LoraTargetName = (typeof LORA_TARGET_NAMES)[number];

export interface TrainingConfig {
  /** LoRA rank and alpha: the update is (alpha / rank) · A·B. */
  rank: number;
  alpha: number;
  /** Projections to adapt: q, k, v, o (attention) and ffn (gate, up and down). */
  targets: LoraTargetName[];
  learningRate: number;
  /** Learning-rate schedule after warm-up. */
  schedule: 'constant' | 'linear' | 'cosine';
  warmupSteps: number;
  batchSize: number;
  steps: number;
  /** Tokens per training sequence. */
  sequenceLength: number;
  /** Share of the datanet's documents held out for evaluation, chosen by the seed. */
  evalFraction: number;
  seed: number;
}

export const DEFAULT_TRAINING_CONFIG: TrainingConfig = {
  rank: 8,
  alpha: 16,
  targets: ['q', 'v'],
  learningRate: 2e-3,
  schedule: 'cosine',
  warmupSteps: 5,
  batchSize: 4,
  steps: 60,
  sequenceLength: 64,
  evalFraction: 0.2,
  seed: 1,
};

export class TrainingConfigError extends Error {
  override readonly name = 'TrainingConfigError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

const KEYS = Object.keys(DEFAULT_TRAINING_CONFIG) as Array<keyof TrainingConfig>;

function int(c: Record<string, unknown>, key: string, min: number, max: number): number {
  const v = c[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new TrainingConfigError(key, `must be a whole number from ${min} to ${max}`);
  return v;
}

function num(c: Record<string, unknown>, key: string, minExclusive: number, max: number): number {
  const v = c[key];
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= minExclusive || v > max) throw new TrainingConfigError(key, `must be a number above ${minExclusive} and at most ${max}`);
  return v;
}

/** Parses and checks a config given as JSON text; absent keys take the defaults (warm-up: at most a quarter of the steps). */
export function parseTrainingConfig(text: string): TrainingConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new TrainingConfigError('config', `is not JSON: ${(e as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new TrainingConfigError('config', 'must be a JSON object');
  const unknown = Object.keys(raw).filter((k) => !KEYS.includes(k as keyof TrainingConfig));
  if (unknown.length > 0) throw new TrainingConfigError(unknown[0], `is not a training option; the options are ${KEYS.join(', ')}`);
  const given = raw as Record<string, unknown>;
  const c = { ...DEFAULT_TRAINING_CONFIG, ...given } as Record<string, unknown>;
  // The default warm-up must fit a short run: at most a quarter of the steps.
  if (!('warmupSteps' in given) && typeof c.steps === 'number') c.warmupSteps = Math.min(DEFAULT_TRAINING_CONFIG.warmupSteps, Math.floor(c.steps / 4));
  const targets = c.targets;
  if (!Array.isArray(targets) || targets.length === 0 || !targets.every((t) => (LORA_TARGET_NAMES as readonly unknown[]).includes(t)) || new Set(targets).size !== targets.length)
    throw new TrainingConfigError('targets', `must list some of ${LORA_TARGET_NAMES.join(', ')}, each once`);
  if (!['constant', 'linear', 'cosine'].includes(c.schedule as string)) throw new TrainingConfigError('schedule', 'must be "constant", "linear" or "cosine"');
  const config: TrainingConfig = {
    rank: int(c, 'rank', 1, 256),
    alpha: num(c, 'alpha', 0, 4096),
    targets: LORA_TARGET_NAMES.filter((t) => (targets as string[]).includes(t)),
    learningRate: num(c, 'learningRate', 0, 1),
    schedule: c.schedule as TrainingConfig['schedule'],
    warmupSteps: int(c, 'warmupSteps', 0, 100_000),
    batchSize: int(c, 'batchSize', 1, 1024),
    steps: int(c, 'steps', 1, 1_000_000),
    sequenceLength: int(c, 'sequenceLength', 8, 8192),
    evalFraction: num(c, 'evalFraction', 0, 0.5),
    seed: int(c, 'seed', 0, 2 ** 31 - 1),
  };
  if (config.warmupSteps >= config.steps) throw new TrainingConfigError('warmupSteps', `must be fewer than steps (${config.steps})`);
  return config;
}

/** The config's canonical JSON (RFC 8785): what the job records and the hash covers. */
export function canonicalConfig(config: TrainingConfig): string {
  return canonicalize({ ...config, targets: [...config.targets] });
}

/** SHA-256 of the canonical config, 0x hex. */
export function configHash(config: TrainingConfig): string {
  return '0x' + createHash('sha256').update(canonicalConfig(config)).digest('hex');
}

/** The learning rate at `step` (0-based): linear warm-up, then the schedule down to 0 at the end. */
export function learningRateAt(config: TrainingConfig, step: number): number {
  const { learningRate: lr, warmupSteps: warm, steps } = config;
  if (step < warm) return (lr * (step + 1)) / warm;
  const progress = (step - warm) / Math.max(1, steps - warm);
  if (config.schedule === 'constant') return lr;
  if (config.schedule === 'linear') return lr * (1 - progress);
  return lr * 0.5 * (1 + Math.cos(Math.PI * progress));
}
