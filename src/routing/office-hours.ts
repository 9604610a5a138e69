import type { OfficeClock, RoutingPolicy } from '../contracts';
import { localTime } from './local-time';
import type { RoutingStep } from './routing-state';
import { withReason } from './routing-state';

type Office = RoutingPolicy['offices'][number];

/**
 * Whether the office is open at `at`: its own time zone, holidays closed all day, closing time exclusive. With
 * a recorded `clock` (the office's wall clock at `at`, read when the transfer started), no time-zone data is
 * consulted, so a replay on a worker with other time-zone data decides the same.
 */
export function officeStatus(office: Office, at: Date, clock?: OfficeClock): { open: boolean; why: string } {
  const local = clock ?? localTime(at, office.timezone);
  if (office.holidays.includes(local.date)) return { open: false, why: `${office.id} is closed for the holiday ${local.date}` };
  const hours = office.hours[local.weekday];
  if (!hours) return { open: false, why: `${office.id} is closed on ${local.display.slice(0, 3)}` };
  const open = local.minutes >= hours.start && local.minutes < hours.end;
  return { open, why: `${office.id} is ${open ? 'open' : 'closed'} at ${local.display} local time` };
}

/** How far ahead {@link nextOpening} looks, and in what steps (office hours are set in minutes of the day). */
const LOOK_AHEAD_MS = 14 * 24 * 3_600_000;
const STEP_MS = 5 * 60_000;

/**
 * Whether any of `offices` is open at `at`, and if not, the first moment within 14 days one is (to the
 * minute, found by stepping 5 minutes then narrowing), or null. For callbacks: promised and placed only when
 * someone is there to take them.
 */
export function nextOpening(offices: readonly Office[], at: Date): { open: boolean; nextOpenAt: Date | null } {
  const openAt = (time: number) => offices.some((office) => officeStatus(office, new Date(time)).open);
  if (openAt(at.getTime())) return { open: true, nextOpenAt: at };
  for (let time = at.getTime() + STEP_MS; time <= at.getTime() + LOOK_AHEAD_MS; time += STEP_MS) {
    if (!openAt(time)) continue;
    let closed = time - STEP_MS;
    let open = time;
    while (open - closed > 60_000) {
      const middle = closed + Math.floor((open - closed) / 2 / 60_000) * 60_000;
      if (openAt(middle)) open = middle;
      else closed = middle;
    }
    return { open: false, nextOpenAt: new Date(open) };
  }
  return { open: false, nextOpenAt: null };
}

/**
 * Rule 7. Open office: candidates from it. Closed: follow the sun, candidates from every other office open
 * now. None open: enterprise to the 24x7 line (keeping its warm mode), everyone else to after-hours
 * voicemail (blind for standard callers), and routing ends.
 */
export const officeHoursStep: RoutingStep = {
  name: 'office-hours',
  apply(state) {
    const at = new Date(state.input.at);
    const offices = state.input.policy.offices;
    const home = offices.find((office) => office.id === state.office);
    const clocks = state.input.clocks ?? {};
    const homeStatus = home ? officeStatus(home, at, clocks[home.id]) : { open: false, why: `office ${state.office} is not configured` };
    if (homeStatus.open) {
      return withReason(state, `Candidates from ${state.office}: ${homeStatus.why}.`, { candidateOffices: [state.office] });
    }
    const openOthers = offices.filter((office) => office.id !== state.office && officeStatus(office, at, clocks[office.id]).open).map((office) => office.id);
    if (openOthers.length > 0) {
      return withReason(state, `Follow the sun: ${homeStatus.why}; candidates from ${openOthers.join(', ')}, open now.`, {
        candidateOffices: openOthers,
      });
    }
    const lines = state.input.policy.lines;
    if (state.input.customer.tier === 'enterprise') {
      return withReason(state, `No office is open (${homeStatus.why}): enterprise 24x7 line, keeping ${state.mode}.`, {
        candidateOffices: [],
        decided: { agentId: null, destination: lines['enterprise-24x7'], decidedBy: 'office-hours', label: 'enterprise-24x7 line' },
      });
    }
    const mode = state.input.customer.tier === 'standard' ? 'blind-transfer' : state.mode;
    return withReason(state, `No office is open (${homeStatus.why}): after-hours voicemail, ${mode}.`, {
      candidateOffices: [],
      mode,
      decided: { agentId: null, destination: lines['after-hours-voicemail'], decidedBy: 'office-hours', label: 'after-hours voicemail' },
    });
  },
};
