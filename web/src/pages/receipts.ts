// The Receipts page (being built).
import { notice } from '../dom.ts';
import type { Page } from '../router.ts';

export const receipts: Page = {
  title: 'Receipts',
  nav: 5,
  render(root) {
    root.append(notice('info', 'This page is being built.'));
  },
};
