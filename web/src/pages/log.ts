// The Log page (being built).
import { notice } from '../dom.ts';
import type { Page } from '../router.ts';

export const log: Page = {
  title: 'Log',
  nav: 6,
  render(root) {
    root.append(notice('info', 'This page is being built.'));
  },
};
