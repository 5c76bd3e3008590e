// Screenshots of pages of the built site, for looking at what a learner sees:
//   npm exec -- tsx scripts/screenshot.ts /lessons/scenario-1-blocked/ [WIDTHxHEIGHT] [dark]
import { launch, hydrated, screenshot } from '../tests/e2e/browser.ts';
import { serveStatic } from '../tests/e2e/static-server.ts';

const [path = '/', size = '1280x900', theme = 'light'] = process.argv.slice(2);
const [width, height] = size.split('x').map(Number);
const { url, server } = await serveStatic('dist');
const browser = await launch();
const page = await browser.newPage({ viewport: { width, height }, colorScheme: theme === 'dark' ? 'dark' : 'light' });
await page.goto(`${url}${path}`);
await hydrated(page);
await page.waitForTimeout(500);
const name = `${path.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '') || 'home'}-${size}-${theme}`;
console.log(await screenshot(page, name));
await browser.close();
server.close();
