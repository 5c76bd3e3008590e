import { defineCollection } from 'astro:content';
import { z } from 'astro/zod';
import { glob } from 'astro/loaders';
import { docsLoader } from '@astrojs/starlight/loaders';
import { docsSchema } from '@astrojs/starlight/schema';
import { VERDICTS, WHERES } from './lib/analysis/vocabulary.ts';

/**
 * Lessons live in Starlight's `docs` collection (src/content/docs/lessons/*.mdx) so they get its
 * sidebar, table of contents, previous/next links and search. On top of Starlight's own
 * frontmatter (title, description, sidebar.order — the lesson's place in the curriculum),
 * a lesson declares what it teaches under `lesson`. Pages that are not lessons (the home page)
 * leave it out.
 */
const lessonFields = z.object({
  /** One or two sentences shown on the home page's lesson list. */
  summary: z.string(),
  /** "After this lesson you will be able to …": each item a concrete skill, shown under the title. */
  objectives: z.array(z.string()).min(1),
  /** Estimated minutes to work through the lesson, exercises included. */
  minutes: z.number().int().positive(),
  /** Trace ids (from the `traces` collection) the lesson's widgets open. Default: none. */
  traces: z.array(z.string()).default([]),
});

const docs = defineCollection({
  loader: docsLoader(),
  schema: docsSchema({
    extend: z.object({
      /** Present on lessons only; see lessonFields. */
      lesson: lessonFields.optional(),
    }),
  }),
});

/** The expected outcome of one connection attempt in a bundled trace. */
const expectedAttempt = z.object({
  client: z.string(),
  clientPort: z.number().int().min(0).max(65535),
  server: z.string(),
  serverPort: z.number().int().min(0).max(65535),
  verdict: z.enum(VERDICTS),
  /** Where the attempt ended, for traces that have a capture of the other side (`pair`). */
  where: z.enum(WHERES).optional(),
});

/**
 * Bundled captures under public/traces, one JSON entry each (src/content/traces/<id>.json).
 * `expected` holds the ground truth of what the recording set up (never the classifier's own
 * output), so the tests fail when the classifier disagrees with reality.
 */
const traces = defineCollection({
  loader: glob({ pattern: '*.json', base: './src/content/traces' }),
  schema: z.object({
    title: z.string(),
    /** What was set up and what the learner should notice, in 1–3 sentences. */
    story: z.string(),
    /** URL path of the capture under public/, e.g. /traces/blocked-drop.client.pcapng */
    file: z.string().startsWith('/traces/'),
    /** Where the capture was taken. */
    side: z.enum(['client', 'server', 'router']),
    scenario: z.string(),
    /** Id of the same moment captured on the other side, when there is one. */
    pair: z.string().optional(),
    /** True for captures generated from the article's screenshots rather than recorded. */
    reconstruction: z.boolean().default(false),
    /** How the file was made (script and method). */
    source: z.string(),
    /**
     * Where `expected` comes from. 'ground-truth' (the default): what the recording set up; the
     * tests check it against tshark's view of the packets and hold the classifier to it.
     * 'classifier-snapshot': the classifier's answer when `porttrace add-trace` added the capture
     * (an instructor's capture, whose truth nobody wrote down): the tests only check that the
     * classifier still gives the same answer (a regression check), whatever that answer is.
     */
    expectationsSource: z.enum(['ground-truth', 'classifier-snapshot']).default('ground-truth'),
    expected: z.array(expectedAttempt),
  }),
});

export const collections = { docs, traces };
