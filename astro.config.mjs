// @ts-check
import { defineConfig } from 'astro/config';
import starlight from '@astrojs/starlight';
import svelte from '@astrojs/svelte';
import csp from './integrations/csp.mjs';
import displayFilter from './src/syntax/display-filter.tmLanguage.json' with { type: 'json' };

// Starlight is the shell (sidebar from the lessons folder, on-page contents, previous/next,
// Pagefind search, light/dark, accessible defaults); lessons are MDX in its docs collection
// with our own schema fields (src/content.config.ts). Code blocks go through Expressive Code,
// which highlights with shiki, themed for light and dark.
// Where the site is served, from the environment at build time (README, "Deploy"):
// PORTTRACE_SITE is its origin (canonical links, og:url), PORTTRACE_BASE the
// sub-folder it lives in, if any ("/porttrace/"). Unset, the site is built for `astro preview`.
const site = process.env.PORTTRACE_SITE || 'http://localhost:4321';
const base = process.env.PORTTRACE_BASE || '/';
if (!URL.canParse(site) || !/^https?:$/.test(new URL(site).protocol))
  throw new Error(`PORTTRACE_SITE must be an http(s) URL such as https://porttrace.example.org, not "${site}"`);
if (!base.startsWith('/') || /[?#\\]|\/\//.test(base))
  throw new Error(`PORTTRACE_BASE must be a path that starts with / such as /porttrace/, not "${base}"`);

export default defineConfig({
  site,
  base,
  integrations: [
    starlight({
      title: 'porttrace',
      description:
        'Learn to tell from a packet capture whether a TCP port is blocked, closed or open — and analyze your own captures in the browser.',
      sidebar: [
        { label: 'Lessons', items: [{ autogenerate: { directory: 'lessons' } }] },
        { label: 'Lab', items: [{ label: 'Analyze your own capture', link: '/lab/' }] },
        {
          label: 'Practice',
          items: [
            { label: 'Practice', link: '/practice/' },
            { label: 'Assessment', link: '/practice/assessment/' },
          ],
        },
        { label: 'Reference', items: [{ autogenerate: { directory: 'reference' } }] },
      ],
      components: {
        PageTitle: './src/components/LessonTitle.astro',
        Sidebar: './src/components/practice/Sidebar.astro',
        Footer: './src/components/practice/Footer.astro',
      },
      customCss: ['./src/styles/porttrace.css', './src/styles/print.css'],
      expressiveCode: {
        themes: ['github-dark', 'github-light'],
        // display filters in the lessons are highlighted with their own grammar: ```dfilter
        shiki: { langs: [displayFilter] },
        // Long commands wrap instead of scrolling: a scrolling block becomes an unnamed
        // role="region" (Expressive Code adds it once the page is idle), which axe reports as
        // a duplicate landmark, and a learner on a phone sees the whole command at once.
        defaultProps: { wrap: true },
      },
      lastUpdated: false,
      pagination: true,
    }),
    svelte(),
    csp(),
  ],
});
