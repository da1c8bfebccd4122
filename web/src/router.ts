// Hash routes (#/datanets, #/receipts?index=3): the node serves one index.html, and a
// page is a module with a title and a render function. Each navigation moves focus to
// the main region and announces the page's title, for keyboard and screen-reader users.
import { notice, replace } from './dom.ts';

export interface Page {
  title: string;
  /** In the navigation bar, in this order; absent: reachable by link only. */
  nav?: number;
  render(root: HTMLElement, params: URLSearchParams): Promise<void> | void;
}

export function startRouter(pages: Record<string, Page>, root: HTMLElement, nav: HTMLElement): void {
  const links = Object.entries(pages)
    .filter(([, p]) => p.nav !== undefined)
    .sort(([, a], [, b]) => (a.nav ?? 0) - (b.nav ?? 0));
  replace(
    nav,
    links.map(([path, p]) => {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = `#/${path}`;
      a.textContent = p.title;
      a.dataset.path = path;
      li.appendChild(a);
      return li;
    }),
  );

  let generation = 0;
  const show = async () => {
    const hash = location.hash.replace(/^#\/?/, '');
    const [path, query] = hash.split('?');
    const page = pages[path ?? ''] ?? pages[''];
    const mine = ++generation;
    for (const a of nav.querySelectorAll('a')) a.toggleAttribute('aria-current', a.dataset.path === path);
    document.title = `${page.title} · Tributary`;
    replace(root, notice('info', 'Loading…'));
    root.setAttribute('aria-busy', 'true');
    root.focus();
    const region = document.createElement('div');
    try {
      await page.render(region, new URLSearchParams(query ?? ''));
      if (mine === generation) replace(root, region);
    } catch (e) {
      if (mine === generation) replace(root, notice('error', `This page could not load: ${(e as Error).message}`, 'Check that the node is running, then reload.'));
    }
    // Done (tests and the bench wait for this; screen readers announce the new content).
    if (mine === generation) root.setAttribute('aria-busy', 'false');
  };
  window.addEventListener('hashchange', () => void show());
  void show();
}
