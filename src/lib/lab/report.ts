// Verdict reports for the lab: Markdown and JSON from the classifier's output.

/** What the library shows next to a capture: how many attempts, and how many got each verdict. */
export interface AttemptSummary {
  attempts: number;
  /** Verdict name (as the classifier names it) → number of attempts. */
  verdicts: Record<string, number>;
}
