/**
 * The compensations a transfer may register, by the step that runs them, with how the Web UI's details say
 * they were done. One list: the saga registers by these names, and the check that every compensation branch
 * has a recorded history reads it.
 */
export const UNDO = {
  releaseAgent: 'releaseAgent',
  markSummary: 'markSummary',
} as const;

/** Every compensation's step summary starts so: the Web UI's timeline (and the history check) tell undo from do. */
export const UNDO_PREFIX = 'Undo: ';

export const UNDONE: Record<keyof typeof UNDO, string> = {
  releaseAgent: 'agent released',
  markSummary: 'summary marked not transferred',
};
