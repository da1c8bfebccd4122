// Typed access to the JSON vectors in this folder, for the tests. Only reads files; it must
// never compute an expected value, or the vectors would stop being fixed points.
import { readFileSync } from 'node:fs';
import type { ConsistencyVector, InclusionVector } from './generate.ts';

export interface Rfc6962Vectors {
  leaves: string[];
  roots: string[];
  nodes: string[][];
  inclusion: { index: number; size: number; proof: string[] }[];
  consistency: { from: number; to: number; proof: string[] }[];
  hasher: { desc: string; leaf?: string; left?: string; right?: string; want: string }[];
  compactRoots: { size: number; root: string }[];
}

export function readVectors<T>(file: string): T {
  return JSON.parse(readFileSync(new URL(file, import.meta.url), 'utf8')) as T;
}

export function readText(file: string): string {
  return readFileSync(new URL(file, import.meta.url), 'utf8');
}

export const rfc6962 = (): Rfc6962Vectors => readVectors<Rfc6962Vectors>('rfc6962.json');
export const inclusionCases = (): InclusionVector[] => readVectors<{ cases: InclusionVector[] }>('inclusion.json').cases;
export const consistencyCases = (): ConsistencyVector[] =>
  readVectors<{ cases: ConsistencyVector[] }>('consistency.json').cases;

export const unhex = (s: string): Buffer => Buffer.from(s, 'hex');
