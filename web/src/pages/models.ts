// The Models page (being built).
import { notice } from '../dom.ts';
import type { Page } from '../router.ts';

export const models: Page = {
  title: 'Models',
  nav: 2,
  render(root) {
    root.append(notice('info', 'This page is being built.'));
  },
};
