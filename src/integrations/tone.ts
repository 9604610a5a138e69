import Sentiment from 'sentiment';
import type { ToneAssessment } from '../contracts';
import { NEUTRAL_TONE } from '../contracts';

/** Judges the caller's tone from their own words. Replaceable: anything with this shape will do. */
export interface ToneJudge {
  assess(words: string): ToneAssessment;
}

/**
 * AFINN-165 lexicon scoring (the `sentiment` package). "Angry" needs a clearly negative total and at least
 * two negative words, so one "broken" or "problem" in a support call does not make a caller angry.
 */
export class LexiconToneJudge implements ToneJudge {
  private readonly analyzer = new Sentiment();

  constructor(private readonly thresholds = { maxScore: -4, minNegativeWords: 2 }) {}

  assess(words: string): ToneAssessment {
    if (!words.trim()) return { ...NEUTRAL_TONE };
    const result = this.analyzer.analyze(words);
    return {
      score: Math.round(result.comparative * 100) / 100,
      angry: result.score <= this.thresholds.maxScore && result.negative.length >= this.thresholds.minNegativeWords,
      negativeWords: result.negative.length,
    };
  }
}
