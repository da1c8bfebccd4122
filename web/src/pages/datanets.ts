// The Datanets page (being built).
import { notice } from '../dom.ts';
import type { Page } from '../router.ts';

export const datanets: Page = {
  title: 'Datanets',
  nav: 1,
  render(root) {
    root.append(notice('info', 'This page is being built.'));
  },
};
