// The learner's progress, kept in this browser's localStorage and nowhere else: nothing is sent.
// One reactive store per page, shared by every widget that shows or records progress; another
// tab's changes arrive through the `storage` event. The rules live in src/lib/practice/progress.ts.
import {
  emptyProgress,
  progressFromFile,
  progressToFile,
  recordExercise,
  type AssessmentResult,
  type Progress,
} from '../../lib/practice/progress.ts';
import type { Pattern } from '../../lib/practice/patterns.ts';

const STORAGE_KEY = 'porttrace-progress';

export { challengeId, predictionId } from '../../lib/practice/progress.ts';

class ProgressStore {
  progress = $state.raw<Progress>(emptyProgress());
  /** False until the stored progress has been read (on the server, never). */
  loaded = $state(false);

  constructor() {
    if (typeof window === 'undefined') return;
    this.#read();
    window.addEventListener('storage', (event) => {
      if (event.key === STORAGE_KEY || event.key === null) this.#read();
    });
  }

  #read(): void {
    try {
      const text = localStorage.getItem(STORAGE_KEY);
      const stored = text === null ? emptyProgress() : progressFromFile(text);
      // A damaged entry is not the learner's fault: start afresh rather than fail the page.
      this.progress = typeof stored === 'string' ? emptyProgress() : stored;
    } catch {
      this.progress = emptyProgress(); // storage disabled (private mode, policy)
    }
    this.loaded = true;
  }

  #write(next: Progress): void {
    this.progress = next;
    try {
      localStorage.setItem(STORAGE_KEY, progressToFile(next));
    } catch {
      // storage full or disabled: progress lasts for this page only
    }
  }

  finishLesson(id: string, finished = true): void {
    const lessons = { ...this.progress.lessons };
    if (finished) lessons[id] = Date.now();
    else delete lessons[id];
    this.#write({ ...this.progress, lessons });
  }

  solveChallenge(id: string): void {
    if (this.progress.challenges[id]) return;
    this.#write({ ...this.progress, challenges: { ...this.progress.challenges, [id]: Date.now() } });
  }

  answerPrediction(id: string, correct: boolean): void {
    if (this.progress.predictions[id]) return;
    this.#write({ ...this.progress, predictions: { ...this.progress.predictions, [id]: { at: Date.now(), correct } } });
  }

  recordExercise(pattern: Pattern, correct: boolean): void {
    this.#write(recordExercise(this.progress, pattern, correct));
  }

  recordAssessment(result: AssessmentResult): void {
    this.#write({ ...this.progress, assessment: result });
  }

  reset(): void {
    this.#write(emptyProgress());
  }

  toFile(): string {
    return progressToFile(this.progress);
  }

  /** Replaces the progress with a file's; returns what is wrong with the file, if anything. */
  importFile(text: string): string | undefined {
    const imported = progressFromFile(text);
    if (typeof imported === 'string') return imported;
    this.#write(imported);
    return undefined;
  }
}

export const progressStore = new ProgressStore();
