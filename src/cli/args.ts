// Parsers for command-line values, so that a bad number is a usage error (exit 2) with
// commander's message rather than a confusing answer from the node.
import { InvalidArgumentError } from 'commander';

/** A non-negative safe integer, written in plain decimal. */
export function parseCount(text: string): number {
  if (!/^(?:0|[1-9][0-9]*)$/.test(text) || !Number.isSafeInteger(Number(text)))
    throw new InvalidArgumentError('must be a whole number (0, 1, 2, ...)');
  return Number(text);
}

/** Collects a repeatable option into a list. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
