// Builds the site once (unless PORTTRACE_SKIP_BUILD=1) and serves dist/ for every browser test.
import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { serveStatic } from './static-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  if (process.env.PORTTRACE_SKIP_BUILD !== '1') {
    // NODE_ENV: vitest sets it to 'test', which would make this a development build (Starlight,
    // for one, then leaves search out); the browser tests must see what `npm run build` makes.
    execFileSync('npx', ['astro', 'build', '--silent'], {
      stdio: 'inherit',
      env: { ...process.env, NODE_ENV: 'production', ASTRO_TELEMETRY_DISABLED: '1' },
    });
  }
  const { url, server } = await serveStatic('dist');
  project.provide('baseUrl', url);
  return () => new Promise<void>((done) => server.close(() => done()));
}
