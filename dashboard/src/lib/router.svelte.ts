/** The current path, kept in step with the address bar (history API; the server answers every page path with the app). */
export const route = $state({ path: location.pathname, search: location.search });

addEventListener('popstate', () => {
  route.path = location.pathname;
  route.search = location.search;
});

/** `replace`: for redirects (to sign in, back after it), so Back does not return to them. */
export function navigate(href: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState({}, '', href);
  else history.pushState({}, '', href);
  const url = new URL(href, location.href);
  route.path = url.pathname;
  route.search = url.search;
}

/** For <a href onclick={link}>: in-app navigation without a reload. */
export function link(event: MouseEvent): void {
  const a = event.currentTarget as HTMLAnchorElement;
  if (event.ctrlKey || event.metaKey || event.shiftKey || a.target) return;
  event.preventDefault();
  navigate(a.getAttribute('href')!);
}
