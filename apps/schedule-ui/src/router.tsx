import { useEffect, useState } from 'react';

/**
 * Four routes need no router library: the path after the
 * Vite base (/ui/) and pushState. schedule-api answers index.html for any /ui/ path, so
 * a reload or a shared link lands on the same page.
 */
const BASE = import.meta.env.BASE_URL.replace(/\/$/, '');

export function currentRoute(): string {
  const path = window.location.pathname;
  return path.startsWith(BASE) ? path.slice(BASE.length) || '/' : path;
}

export function navigate(route: string): void {
  window.history.pushState(null, '', BASE + route);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function useRoute(): string {
  const [route, setRoute] = useState(currentRoute());
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    window.addEventListener('popstate', update);
    return () => window.removeEventListener('popstate', update);
  }, []);
  return route;
}

/** An <a> that routes inside the app (still a real link: middle-click, copy, keyboard). */
export function Link({
  to,
  children,
  className,
}: {
  to: string;
  children: React.ReactNode;
  className?: string;
}) {
  return (
    <a
      href={BASE + to}
      className={className}
      onClick={(event) => {
        if (
          event.metaKey ||
          event.ctrlKey ||
          event.shiftKey ||
          event.button !== 0
        )
          return;
        event.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

/** The pages, by path under /ui/. */
export type Page =
  | { page: 'list' }
  | { page: 'new' }
  | { page: 'detail'; id: string }
  | { page: 'edit'; id: string };

export function matchRoute(route: string): Page {
  if (route === '/new') return { page: 'new' };
  const edit = /^\/schedules\/([^/]+)\/edit$/.exec(route);
  if (edit?.[1] !== undefined)
    return { page: 'edit', id: decodeURIComponent(edit[1]) };
  const detail = /^\/schedules\/([^/]+)$/.exec(route);
  if (detail?.[1] !== undefined)
    return { page: 'detail', id: decodeURIComponent(detail[1]) };
  return { page: 'list' };
}
