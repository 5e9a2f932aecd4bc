/**
 * The methods of the routes on a path, from the router itself, so that a request the router did
 * not match can be told 405 and what `Allow`s instead of 404. `add` sees every route as it is
 * registered (Fastify's onRoute hook: Nest's controllers, the pages, the docs, and the HEAD routes
 * Fastify adds for GET); `allowed` asks the router, for each method any route has, whether it
 * matches the path, so parameters (`/user/sessions/:id`) count and no list is kept by hand.
 */
export class RouteMethods {
  private readonly methods = new Set<string>();
  /** The paths some route has without parameters (`/user/passkeys/registration-options`). */
  private readonly fixedPaths = new Set<string>();

  add(method: string | readonly string[], url?: string): void {
    for (const one of typeof method === 'string' ? [method] : method) {
      this.methods.add(one.toUpperCase());
    }
    if (url !== undefined && !url.includes(':') && !url.includes('*')) {
      this.fixedPaths.add(url);
    }
  }

  /**
   * Whether a request the router gave to a route with parameters (`DELETE /user/passkeys/:id`)
   * names a path that a route of another method has as it is (`POST
   * /user/passkeys/registration-options`). As OpenAPI reads paths, a fixed path wins over a
   * template: that resource has only the fixed route's methods, and this request is a 405.
   * Cheap enough for every request: a route without parameters stops at the first test.
   */
  shadowed(routeUrl: string | undefined, url: string): boolean {
    if (routeUrl === undefined || !routeUrl.includes(':')) {
      return false;
    }
    const query = url.indexOf('?');
    return this.fixedPaths.has(query === -1 ? url : url.slice(0, query));
  }

  /**
   * The methods whose routes match, sorted. `match` answers whether a route of that method
   * matches the path and which parameters it took; a catch-all (`*`) does not count: it answers
   * every path, with a 404 for most, and a 405 there would claim a resource that is not there.
   */
  allowed(match: (method: string) => { params: Record<string, unknown> } | null): string[] {
    const matched = [...this.methods]
      .map((method) => ({ method, route: match(method) }))
      .filter(({ route }) => route !== null && !('*' in route.params));
    // A route that has this path as it is outranks templates that also match it (see shadowed).
    const fixed = matched.filter(({ route }) => Object.keys(route!.params).length === 0);
    return (fixed.length > 0 ? fixed : matched).map(({ method }) => method).sort();
  }
}
