// The front page: what this node is and where to look.
import { api } from '../api.ts';
import { h } from '../dom.ts';
import type { Page } from '../router.ts';

export const home: Page = {
  title: 'Overview',
  nav: 0,
  async render(root) {
    const info = await api.node();
    root.append(
      h('h1', {}, 'Tributary node'),
      h('p', {}, 'Every contribution, model and paid inference on this node is in a public, signed log. Look around:'),
      h('dl', { class: 'facts' }, h('dt', {}, 'log'), h('dd', {}, `${info.origin}, ${info.size} entries`), h('dt', {}, 'mode'), h('dd', {}, info.dev ? 'dev (faucet and demo signing on)' : 'production')),
    );
  },
};
