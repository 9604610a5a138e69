/**
 * The compensations a transfer may register, by the step that runs them, with how the Web UI's details say
 * they were done. One list: the saga registers by these names, and the check that every compensation branch
 * has a recorded history reads it.
 */
export const UNDO = {
  releaseAgent: 'releaseAgent',
  markSummary: 'markSummary',
} as const;

export const UNDONE: Record<keyof typeof UNDO, string> = {
  releaseAgent: 'agent released',
  markSummary: 'summary marked not transferred',
};
