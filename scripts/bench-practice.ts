// Practice generator benchmark: how long one exercise takes to make (the page makes one on every
// "Next exercise", on the main thread) and how big its captures are, per level; 200 seeds each,
// median and worst. Also the whole classifier-agreement loop the tests run (1,000 seeds).
// Run: npx tsx scripts/bench-practice.ts
import { analyzeCapture, compareCaptures } from '../src/lib/analysis/index.ts';
import { loadCaptureBytes } from '../src/lib/load.ts';
import { generateExercise, LEVELS } from '../src/lib/practice/scenario.ts';

const SEEDS = 200;
const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

for (const level of LEVELS) {
  const ms: number[] = [];
  const bytes: number[] = [];
  const packets: number[] = [];
  for (let seed = 0; seed < SEEDS; seed++) {
    const t0 = performance.now();
    const exercise = generateExercise({ seed, level });
    ms.push(performance.now() - t0);
    bytes.push(exercise.client.length + (exercise.server?.length ?? 0));
    packets.push(exercise.clientPackets + (exercise.serverPackets ?? 0));
  }
  console.log(
    `level ${level}: generate median ${quantile(ms, 0.5).toFixed(2)} ms, worst ${Math.max(...ms).toFixed(2)} ms; ` +
      `captures median ${(quantile(bytes, 0.5) / 1024).toFixed(1)} KiB (${quantile(packets, 0.5)} packets), ` +
      `largest ${(Math.max(...bytes) / 1024).toFixed(1)} KiB`,
  );
}

const t0 = performance.now();
for (let seed = 1; seed <= 1000; seed++) {
  const exercise = generateExercise({ seed, level: LEVELS[seed % LEVELS.length] });
  const client = loadCaptureBytes(exercise.client);
  if (exercise.server) compareCaptures(client, loadCaptureBytes(exercise.server));
  else analyzeCapture(client);
}
console.log(`1,000 seeds generated, read and classified: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
