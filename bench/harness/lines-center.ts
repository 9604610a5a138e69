import type { ContactCenter } from '../../src/config/contact-center';
import { DEFAULT_OFFICE, officeForNumber } from '../../src/routing/office';
import type { GeneratedContactCenter } from './contact-center-generator';
import { DEPARTMENT_CATALOGUE, generateContactCenter } from './contact-center-generator';
import type { TrafficMix } from './traffic';

/**
 * The contact center of `--lines`: sized so its agents serve about the chosen rate, every department with a
 * line, and balanced so that rate is real. A waiting caller can only have an agent of their own office (every
 * office is open, so rule 7 names just theirs) who serves their department; with random offices and skills
 * some office × department would be swamped while another idled, and "agents serve 4.5/s" would be a figure
 * on paper. So: calls come evenly from the four offices, each office has the same number of agents, each
 * agent serves two of the three departments in turn (every department staffed alike), and every agent takes
 * one call at a time — a ready mark then frees exactly one place, which is what the ready → transfer figure
 * times.
 */

export interface LinesLoad {
  /** Calls per second while the load runs. */
  arrivalsPerSecond: number;
  /** What the agents should serve per second: agents × maxConcurrent (1) / mean handle time. */
  servePerSecond: number;
  durationSeconds: number;
  /** Uniform between the two, as `--handle-time`. */
  handleTime: { minSeconds: number; maxSeconds: number };
  /** Share of the callers who join a line that the fake Vapi hangs up at a random moment of their wait. */
  abandonShare: number;
  /** Overrides of the lines' settings (default: derived from the load, see {@link linesSizing}). */
  maxWaitSeconds?: number;
  maxWaiting?: number;
}

export interface LinesSizing {
  offices: number;
  departments: number;
  agentsPerOffice: number;
  agents: number;
  meanHandleSeconds: number;
  /** What the agents serve per second on paper (agents / mean handle time; each takes one call at a time). */
  servePerSecond: number;
  /** Callers waiting across every line when the load stops, if nothing overflowed: (arrivals − served) × duration, less those who hang up. */
  expectedPeakWaiting: number;
  /** How long the last of them would wait: expectedPeakWaiting / servePerSecond. */
  expectedPeakWaitSeconds: number;
  /** The lines' `max-wait-seconds` and `max-waiting` (each department the same). */
  maxWaitSeconds: number;
  maxWaiting: number;
  /** Callers the fake Vapi hangs up wait this long first (uniform), unless served or overflowed before. */
  patienceSeconds: { min: number; max: number };
  /** How `maxWaitSeconds` and `maxWaiting` were chosen. */
  why: string;
}

/** The routing file's bounds (src/config/contact-center.ts). */
const MIN_MAX_WAIT_SECONDS = 10;

/** Below the expected peak, so the busiest seconds turn a few callers away and the longest waits reach the limit. */
const LIMIT_SHARE = 0.85;

/** One unknown caller per office (area code 555 is not on the us-west list, 415 is; +49 emea, +81 apac). */
export const LINES_CALLERS: Readonly<Record<string, string>> = {
  'us-east': '+15555550100',
  'us-west': '+14155550199',
  emea: '+493055501999',
  apac: '+81355501999',
};

const LANGUAGES: Readonly<Record<string, string[]>> = { 'us-east': ['en', 'es'], 'us-west': ['en', 'zh'], emea: ['de', 'en'], apac: ['ja', 'en'] };

/** How many agents, and the lines' limits, for a load. Pure. */
export function linesSizing(load: LinesLoad, offices = Object.keys(LINES_CALLERS).length, departments = 3): LinesSizing {
  const { minSeconds, maxSeconds } = load.handleTime;
  const meanHandleSeconds = (minSeconds + maxSeconds) / 2;
  if (!(meanHandleSeconds > 0)) throw new Error('--lines needs a handle time (agents are freed by their ready marks)');
  // Two agents at least per office, so the rotating pairs of skills cover all three departments.
  const agentsPerOffice = Math.max(2, Math.round((load.servePerSecond * meanHandleSeconds) / offices));
  const agents = agentsPerOffice * offices;
  const servePerSecond = agents / meanHandleSeconds;
  const excess = Math.max(0, load.arrivalsPerSecond - servePerSecond);
  const expectedPeakWaiting = excess * load.durationSeconds * (1 - load.abandonShare);
  const expectedPeakWaitSeconds = expectedPeakWaiting / servePerSecond;
  const maxWaiting = load.maxWaiting ?? Math.max(1, Math.floor((LIMIT_SHARE * expectedPeakWaiting) / departments));
  const maxWaitSeconds = load.maxWaitSeconds ?? Math.max(MIN_MAX_WAIT_SECONDS, Math.ceil(LIMIT_SHARE * expectedPeakWaitSeconds));
  const why = [
    load.maxWaiting === undefined ? `max-waiting ${maxWaiting}: ${Math.round(LIMIT_SHARE * 100)} % of the ${expectedPeakWaiting.toFixed(0)} expected to wait at the peak, per department` : `max-waiting ${maxWaiting} (--max-waiting)`,
    load.maxWaitSeconds === undefined
      ? `max-wait-seconds ${maxWaitSeconds}: ${Math.round(LIMIT_SHARE * 100)} % of the ${expectedPeakWaitSeconds.toFixed(0)} s the last of them would wait (at least ${MIN_MAX_WAIT_SECONDS})`
      : `max-wait-seconds ${maxWaitSeconds} (--max-wait)`,
  ].join('; ');
  return {
    offices,
    departments,
    agentsPerOffice,
    agents,
    meanHandleSeconds,
    servePerSecond,
    expectedPeakWaiting,
    expectedPeakWaitSeconds,
    maxWaitSeconds,
    maxWaiting,
    patienceSeconds: { min: 2, max: maxWaitSeconds },
    why,
  };
}

/** The routing file of a lines run, and the calls to send it. Deterministic from the seed. */
export function generateLinesCenter(load: LinesLoad, seed: number): { file: GeneratedContactCenter; sizing: LinesSizing; traffic: TrafficMix } {
  const offices = Object.keys(LINES_CALLERS);
  const sizing = linesSizing(load, offices.length);
  const file = generateContactCenter({
    agents: sizing.agents,
    departments: sizing.departments,
    seed,
    departmentSettings: {
      // Agents are freed by their ready marks; this only frees one whose mark was lost (it would show in the figures).
      'after-call-seconds': 60,
      queue: {
        'max-wait-seconds': sizing.maxWaitSeconds,
        'max-waiting': sizing.maxWaiting,
        'update-every-seconds': 30,
        'service-level-seconds': 20,
        // No callback offers (the bench has no Vapi API key), no relax steps: a caller waits for any agent of
        // their office and department, so a freed agent is owed the line whatever their language or tier.
        callbacks: false,
      },
    },
  });
  const departments = Object.keys(file.departments);
  file.agents = file.agents.map((agent, index) => {
    const office = offices[index % offices.length]!;
    const nth = Math.floor(index / offices.length);
    return {
      ...agent,
      office,
      skills: [departments[nth % departments.length]!, departments[(nth + 1) % departments.length]!].sort((a, b) => departments.indexOf(a) - departments.indexOf(b)),
      languages: LANGUAGES[office] ?? ['en'],
      tier: nth % 4 === 0 ? 'senior' : 'junior',
      maxConcurrent: 1,
    };
  });
  const requests = departments.map((id) => {
    const known = DEPARTMENT_CATALOGUE.find((entry) => entry.id === id)!;
    return { department: id, reason: known.reason, turns: [known.says, `${id}, please.`] };
  });
  // Three requests and four callers: the calls cycle over all twelve office × department pairs evenly.
  return { file, sizing, traffic: { requests, callers: offices.map((office) => LINES_CALLERS[office]!) } };
}

/** The office routing gives a caller (rule 3): the CRM's, else by number, else us-east. */
export function callerOffice(center: Pick<ContactCenter, 'customers' | 'callerRegions'>, number: string): string {
  const customer = center.customers.find((candidate) => candidate.phone === number);
  return customer?.office ?? officeForNumber(number, center.callerRegions)?.office ?? DEFAULT_OFFICE;
}
