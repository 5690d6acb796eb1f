// The dashboard's pages live in the URL fragment (#/apps, #/instances, #/tasks, #/audit), so any
// path the gateway serves index.html on works, and reloads and links keep the page.

import { useEffect, useState } from "react";

export const ROUTES = ["apps", "instances", "tasks", "audit"] as const;
export type Route = (typeof ROUTES)[number];

export function routeFromHash(hash: string): Route {
  const name = hash.replace(/^#\/?/, "").split(/[/?]/)[0] ?? "";
  return (ROUTES as readonly string[]).includes(name) ? (name as Route) : "apps";
}

export function hrefFor(route: Route): string {
  return `#/${route}`;
}

export function useRoute(): Route {
  const [route, setRoute] = useState<Route>(() => routeFromHash(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(routeFromHash(window.location.hash));
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
