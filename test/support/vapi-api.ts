/** Vapi's API playing a script, for a call's status: each ask gets the next answer (the last one repeats); asks are timed. */
export function vapiSays(...answers: (string | null)[]) {
  const askedAt: number[] = [];
  return {
    askedAt,
    callStatus: {
      status: async () => {
        askedAt.push(Date.now());
        return answers[Math.min(askedAt.length - 1, answers.length - 1)] ?? null;
      },
    },
  };
}
