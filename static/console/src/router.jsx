// Paths under /admin/ name the pages, so a page can be bookmarked, reloaded and
// reached with the browser's back button; the server answers every one of them
// with the console.
import { useEffect, useState } from 'preact/hooks';

const BASE = '/admin';

export function currentRoute() {
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : '';
  return { page: path.replace(/^\/+|\/+$/g, '') || 'overview', query: new URLSearchParams(location.search) };
}

export function href(page, query = {}) {
  const search = new URLSearchParams(Object.entries(query).filter(([, v]) => v != null && v !== '')).toString();
  return `${BASE}${page === 'overview' ? '' : `/${page}`}${search ? `?${search}` : ''}`;
}

export function navigate(page, query, { replace = false } = {}) {
  const url = href(page, query);
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  dispatchEvent(new Event('signpost:navigate'));
}

export function useRoute() {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    addEventListener('popstate', update);
    addEventListener('signpost:navigate', update);
    return () => {
      removeEventListener('popstate', update);
      removeEventListener('signpost:navigate', update);
    };
  }, []);
  return route;
}

/** A link that moves between pages without reloading the console. */
export function Link({ page, query, children, ...rest }) {
  const url = href(page, query);
  const follow = (event) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(page, query);
  };
  return <a href={url} onClick={follow} {...rest}>{children}</a>;
}
