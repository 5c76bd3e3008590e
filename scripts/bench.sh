#!/usr/bin/env bash
# npm run bench: every benchmark, on this machine, with its description first. Not a test: it
# measures. Results are recorded by hand in docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== machine"
echo "  $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "  memory: $(free -g | awk '/Mem:/ {print $2}') GiB; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  node $(node --version); $(tshark --version 2>/dev/null | head -1 || echo 'tshark not installed')"
echo "== capture reader";          npx tsx scripts/bench-capture.ts
echo "== display filters";         npx tsx scripts/bench-filters.ts
echo "== verdicts";                npx tsx scripts/bench-verdicts.ts
echo "== compressed ETL (pktmon)"; npx tsx scripts/bench-etl-compressed.ts
echo "== against tshark/tcpdump";  npx tsx scripts/bench-compare.ts
echo "== large-capture mode (handshakes only)"; npx tsx scripts/bench-large.ts
echo "== practice generator";      npx tsx scripts/bench-practice.ts
echo "== browser (Chromium)";      npx tsx scripts/bench-browser.ts
echo "== scale: floods, repeated captures, 1M packets, start-up (issue 14 targets)"; npx tsx scripts/bench-scale.ts
echo "== graphs: uPlot against our SVG, the I/O graph of 1M packets"; PORTTRACE_SKIP_BUILD=1 npx tsx scripts/bench-graphs.ts # the site bench-browser built
