import { parseContactCenterText } from '../../src/config/contact-center';
import { contactCenterYaml } from '../../bench/harness/contact-center-generator';
import type { LinesLoad } from '../../bench/harness/lines-center';
import { callerOffice, generateLinesCenter, linesSizing } from '../../bench/harness/lines-center';
import { simulatedCall } from '../../bench/harness/traffic';

const load: LinesLoad = { arrivalsPerSecond: 6, servePerSecond: 4.5, durationSeconds: 60, handleTime: { minSeconds: 2, maxSeconds: 10 }, abandonShare: 0.1 };

describe('the contact center of a lines run', () => {
  it('has as many agents, one call at a time each, as serve the rate asked for over the mean handle time, the same in every office', () => {
    const sizing = linesSizing(load);

    expect(sizing.agents).toBe(28); // 4.5/s × 6 s = 27, rounded to 7 per office
    expect(sizing.servePerSecond).toBeCloseTo(28 / 6);
    expect(linesSizing({ ...load, servePerSecond: 9 }).agents).toBe(56);
  });

  it('sets every line short of what the load would pile up, so a few callers overflow, unless told otherwise', () => {
    const sizing = linesSizing(load);
    // (6 − 4.67)/s × 60 s × 0.9 = 72 waiting at the peak, 24 a department; the last of them ~15 s in line.
    expect(sizing.expectedPeakWaiting).toBeCloseTo(72, 0);
    expect(sizing.maxWaiting).toBe(20);
    expect(sizing.maxWaitSeconds).toBe(14);
    expect(linesSizing({ ...load, maxWaitSeconds: 45, maxWaiting: 7 })).toMatchObject({ maxWaitSeconds: 45, maxWaiting: 7 });
    // A load the agents keep up with piles nobody up: the limits fall to the routing file's minimum.
    expect(linesSizing({ ...load, arrivalsPerSecond: 3 })).toMatchObject({ expectedPeakWaiting: 0, maxWaitSeconds: 10, maxWaiting: 1 });
  });

  it('writes a valid routing file in which every department has that line and every office staffs every department', () => {
    const { file, sizing } = generateLinesCenter(load, 7);
    const center = parseContactCenterText(contactCenterYaml(file, 'test'), 'lines.yaml');

    expect(center.agents).toHaveLength(sizing.agents);
    for (const department of center.departments) {
      expect(department.queue).toMatchObject({ maxWaitSeconds: sizing.maxWaitSeconds, maxWaiting: sizing.maxWaiting, callbacks: false, relax: [] });
      for (const office of center.offices) {
        expect(center.agents.filter((agent) => agent.office === office.id && agent.skills.includes(department.id)).length).toBeGreaterThanOrEqual(4);
      }
    }
    expect(new Set(center.agents.map((agent) => agent.maxConcurrent))).toEqual(new Set([1]));
    expect(center.offices.every((office) => Object.values(office.hours).every((hours) => hours.start === 0 && hours.end === 24 * 60))).toBe(true);
  });

  it('sends calls evenly over the offices and departments, each caller routed to the office the traffic names', () => {
    const { file, traffic } = generateLinesCenter(load, 7);
    const center = parseContactCenterText(contactCenterYaml(file, 'test'), 'lines.yaml');
    const pairs = new Map<string, number>();
    for (let index = 0; index < 120; index += 1) {
      const call = simulatedCall(index, (callId) => `http://127.0.0.1/${callId}/control`, traffic);
      const key = `${callerOffice(center, traffic.callers[index % traffic.callers.length]!)}/${call.department}`;
      pairs.set(key, (pairs.get(key) ?? 0) + 1);
    }

    expect(pairs.size).toBe(12);
    expect(new Set(pairs.values())).toEqual(new Set([10]));
  });
});
