// The site may be served from a sub-folder (PORTTRACE_BASE, astro.config.mjs): paths written
// from the site's root in lessons and traces ("/traces/open-client.pcapng", "/lab/") get that
// folder in front. Other URLs are left as they are.
export function withBase(path: string, base: string = import.meta.env.BASE_URL): string {
  if (!path.startsWith('/') || path.startsWith('//')) return path;
  const folder = base.endsWith('/') ? base.slice(0, -1) : base;
  return `${folder}${path}`;
}
