// The Playground page (being built).
import { notice } from '../dom.ts';
import type { Page } from '../router.ts';

export const playground: Page = {
  title: 'Playground',
  nav: 3,
  render(root) {
    root.append(notice('info', 'This page is being built.'));
  },
};
