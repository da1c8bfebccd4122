// The Earnings page (being built).
import { notice } from '../dom.ts';
import type { Page } from '../router.ts';

export const earnings: Page = {
  title: 'Earnings',
  nav: 4,
  render(root) {
    root.append(notice('info', 'This page is being built.'));
  },
};
