/**
 * The methods of the routes on a path, from the router itself, so that a request the router did
 * not match can be told 405 and what `Allow`s instead of 404. `add` sees every route as it is
 * registered (Fastify's onRoute hook: Nest's controllers, the pages, the docs, and the HEAD routes
 * Fastify adds for GET); `allowed` asks the router, for each method any route has, whether it
 * matches the path, so parameters (`/user/sessions/:id`) count and no list is kept by hand.
 */
export class RouteMethods {
  private readonly methods = new Set<string>();

  add(method: string | readonly string[]): void {
    for (const one of typeof method === 'string' ? [method] : method) {
      this.methods.add(one.toUpperCase());
    }
  }

  /**
   * The methods whose routes match, sorted. `match` answers whether a route of that method
   * matches the path and which parameters it took; a catch-all (`*`) does not count: it answers
   * every path, with a 404 for most, and a 405 there would claim a resource that is not there.
   */
  allowed(match: (method: string) => { params: Record<string, unknown> } | null): string[] {
    return [...this.methods]
      .filter((method) => {
        const route = match(method);
        return route !== null && !('*' in route.params);
      })
      .sort();
  }
}
