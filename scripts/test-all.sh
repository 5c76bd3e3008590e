#!/usr/bin/env bash
# Every test: unit and oracle tests (vitest), the type check, then the browser tests against
# the built site in Chromium. Fails when any of them fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export ASTRO_TELEMETRY_DISABLED=1
bash scripts/ensure-system-tools.sh
echo "== lint (ESLint, Prettier)"
npm run --silent lint
echo "== unit and oracle tests"
npx vitest run
echo "== type check (Astro, TypeScript, Svelte)"
npx astro check --minimumFailingSeverity warning
npx svelte-check --tsconfig ./tsconfig.json --fail-on-warnings --threshold warning
echo "== browser tests (Chromium)"
npx vitest run --config vitest.e2e.config.ts
