import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { ACTION_TYPES_DOC, actionTypesDoc } from './actionTypesDoc.ts';

it('docs/action-types.md matches the action definitions (run `npm run docs` if not)', () => {
  expect(readFileSync(ACTION_TYPES_DOC, 'utf8')).toBe(actionTypesDoc());
});
