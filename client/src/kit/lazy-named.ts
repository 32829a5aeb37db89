import { type ComponentType, type LazyExoticComponent, lazy } from "react";

/**
 * `React.lazy` for a named export: the module is fetched the first time the component renders,
 * so a screen that is not shown first stays out of the page's first load.
 */
export function lazyNamed<M, K extends keyof M>(
  load: () => Promise<M>,
  name: K,
): LazyExoticComponent<M[K] extends ComponentType<infer P> ? ComponentType<P> : never> {
  return lazy(async () => ({ default: (await load())[name] as never }));
}
