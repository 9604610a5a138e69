import { Document, YAMLMap, YAMLSeq } from 'yaml';
import { contactCenterFileSchema } from '../../src/config/contact-center';
import type { z } from 'zod';
import type { Agent, ContactCenter, Customer } from '../../src/config/contact-center';
import type { CallDestination } from '../../src/contracts';
import type { TrafficMix } from './traffic';

/**
 * Contact centers of any size for the benchmark, in the routing file's own format (as
 * config/contact-center.yaml), deterministic from a seed: same options, same file, byte for byte.
 *
 * Every office is open around the clock, so transfers reach agents whenever the bench runs; the rest is a
 * plausible mix: four offices with the demo's time zones and caller regions, departments with aliases,
 * agents speaking their office's languages, one in four senior, one in four taking two calls at once, number
 * and SIP destinations (all distinct, so a control command's destination names its agent), and a few CRM
 * customers of every tier.
 */

export interface GeneratorOptions {
  agents: number;
  /** Default: 3 below 100 agents, 15 below 1,000, else 50. */
  departments?: number;
  seed?: number;
  /** Given to every department as written in the routing file: a `queue:` (a line) and after-call times. */
  departmentSettings?: DepartmentSettings;
}

type DepartmentFile = GeneratedContactCenter['departments'][string];
export type DepartmentSettings = Partial<Pick<DepartmentFile, 'queue' | 'after-call-seconds' | 'wrap-up-seconds'>>;

export const DEFAULT_SEED = 20_261_201;

/** The department catalogue, in file order; the first three are the demo's own. */
export const DEPARTMENT_CATALOGUE: readonly { id: string; aliases: string[]; reason: string; says: string }[] = [
  { id: 'support', aliases: ['technical', 'tech', 'technical support', 'outage', 'internet', 'broken'], reason: 'internet is down', says: 'My internet has been down since this morning.' },
  { id: 'billing', aliases: ['payments', 'payment', 'invoice', 'bill', 'refund', 'charge', 'accounts'], reason: 'question about my invoice', says: 'I was charged twice on my last invoice.' },
  { id: 'sales', aliases: ['purchase', 'buy', 'upgrade', 'new service', 'pricing', 'quote'], reason: 'upgrade my plan', says: 'I would like to upgrade to the faster plan.' },
  { id: 'retention', aliases: ['cancel', 'cancellation', 'switching provider'], reason: 'thinking of cancelling', says: 'I am thinking of switching to another provider.' },
  { id: 'moving', aliases: ['move house', 'relocation', 'new address'], reason: 'moving to a new address', says: 'I am moving house next month and want to keep my service.' },
  { id: 'installations', aliases: ['installation', 'install', 'setup', 'technician visit'], reason: 'book an installation', says: 'I need someone to install the new equipment.' },
  { id: 'repairs', aliases: ['repair', 'fault', 'engineer'], reason: 'report a fault', says: 'There is a fault on my line, it crackles all the time.' },
  { id: 'mobile', aliases: ['cell phone', 'sim', 'phone plan'], reason: 'my SIM stopped working', says: 'My SIM card stopped working this morning.' },
  { id: 'broadband', aliases: ['wifi', 'wi-fi', 'router', 'modem'], reason: 'router keeps rebooting', says: 'The router keeps rebooting every few minutes.' },
  { id: 'television', aliases: ['tv', 'channels', 'set-top box'], reason: 'channels missing', says: 'Half of my TV channels disappeared.' },
  { id: 'landline', aliases: ['home phone', 'dial tone'], reason: 'no dial tone', says: 'My home phone has no dial tone.' },
  { id: 'energy', aliases: ['electricity', 'power supply'], reason: 'electricity contract', says: 'I have a question about my electricity contract.' },
  { id: 'gas', aliases: ['boiler', 'heating'], reason: 'heating not working', says: 'The heating is not working since yesterday.' },
  { id: 'water', aliases: ['water supply', 'leak'], reason: 'water leak', says: 'There is a leak near my water meter.' },
  { id: 'solar', aliases: ['solar panels', 'feed-in'], reason: 'solar feed-in payments', says: 'My solar feed-in payments stopped.' },
  { id: 'ev-charging', aliases: ['ev charging', 'charging station', 'electric vehicle'], reason: 'charging station offline', says: 'My home charging station shows offline.' },
  { id: 'smart-home', aliases: ['smart home', 'thermostat', 'smart plug'], reason: 'thermostat not connecting', says: 'The smart thermostat will not connect.' },
  { id: 'home-security', aliases: ['home security', 'alarm', 'camera'], reason: 'alarm keeps going off', says: 'My alarm keeps going off at night.' },
  { id: 'insurance', aliases: ['cover', 'policy'], reason: 'device insurance', says: 'I want to add insurance for my devices.' },
  { id: 'claims', aliases: ['claim', 'damage report'], reason: 'make a claim', says: 'I need to make a claim for a broken phone.' },
  { id: 'collections', aliases: ['debt', 'overdue', 'arrears'], reason: 'overdue balance', says: 'I got a letter about an overdue balance.' },
  { id: 'direct-debit', aliases: ['direct debit', 'standing order', 'bank details'], reason: 'change bank details', says: 'I need to change the bank details for my direct debit.' },
  { id: 'business', aliases: ['small business', 'company'], reason: 'business line', says: 'I run a small shop and need a business line.' },
  { id: 'enterprise-accounts', aliases: ['enterprise account', 'key account', 'corporate'], reason: 'corporate account', says: 'I manage our corporate account.' },
  { id: 'onboarding', aliases: ['new customer', 'welcome'], reason: 'new customer setup', says: 'I just signed up and need help getting started.' },
  { id: 'complaints', aliases: ['complaint', 'not happy'], reason: 'make a complaint', says: 'I want to make a formal complaint.' },
  { id: 'accessibility', aliases: ['hearing impaired', 'large print'], reason: 'large print bills', says: 'Can I get my bills in large print?' },
  { id: 'devices', aliases: ['handset', 'tablet'], reason: 'handset screen cracked', says: 'The screen of my handset cracked.' },
  { id: 'roaming', aliases: ['abroad', 'travel'], reason: 'roaming charges', says: 'I am travelling abroad next week.' },
  { id: 'international', aliases: ['overseas calls', 'international calling'], reason: 'calling overseas', says: 'How much are calls to my family overseas?' },
  { id: 'fiber', aliases: ['fibre', 'fiber optic'], reason: 'fiber availability', says: 'Is fiber available on my street yet?' },
  { id: 'networking', aliases: ['vpn', 'static ip'], reason: 'static IP address', says: 'I need a static IP address for my office.' },
  { id: 'cloud', aliases: ['cloud storage', 'backup'], reason: 'cloud backup full', says: 'My cloud backup says it is full.' },
  { id: 'hosting', aliases: ['web hosting', 'domain'], reason: 'website down', says: 'My website is not loading.' },
  { id: 'email', aliases: ['e-mail', 'mailbox'], reason: 'mailbox not syncing', says: 'My mailbox stopped syncing.' },
  { id: 'loyalty', aliases: ['rewards', 'points'], reason: 'loyalty points', says: 'My loyalty points were not added.' },
  { id: 'promotions', aliases: ['promo', 'discount', 'coupon'], reason: 'promo code', says: 'The promo code from the advert did not work.' },
  { id: 'trade-in', aliases: ['trade in', 'old phone'], reason: 'trade in my old phone', says: 'I want to trade in my old phone.' },
  { id: 'warranty', aliases: ['guarantee', 'replacement device'], reason: 'warranty replacement', says: 'My device is still under warranty and broke.' },
  { id: 'deliveries', aliases: ['delivery', 'parcel', 'shipping'], reason: 'parcel not delivered', says: 'My parcel never arrived.' },
  { id: 'appointments', aliases: ['appointment', 'reschedule', 'booking'], reason: 'reschedule a visit', says: 'I need to reschedule my appointment.' },
  { id: 'meter-readings', aliases: ['meter reading', 'meter', 'smart meter'], reason: 'submit a meter reading', says: 'I want to give you a meter reading.' },
  { id: 'tariffs', aliases: ['tariff', 'rates', 'price plan'], reason: 'cheaper tariff', says: 'Is there a cheaper tariff for me?' },
  { id: 'privacy', aliases: ['my data', 'gdpr'], reason: 'data request', says: 'I want to know what data you hold about me.' },
  { id: 'fraud', aliases: ['scam', 'stolen card', 'identity theft'], reason: 'suspicious charges', says: 'I think someone used my account, there are charges I did not make.' },
  { id: 'account-access', aliases: ['account access', 'password', 'login', 'locked out'], reason: 'locked out of my account', says: 'I am locked out of my online account.' },
  { id: 'contracts', aliases: ['contract', 'terms and conditions', 'renewal'], reason: 'contract renewal', says: 'My contract ends soon, what are my options?' },
  { id: 'prepaid', aliases: ['top up', 'top-up'], reason: 'top up failed', says: 'My top-up did not go through.' },
  { id: 'students', aliases: ['student', 'student plan'], reason: 'student plan', says: 'Do you have a plan for students?' },
  { id: 'community', aliases: ['charity', 'non-profit'], reason: 'charity account', says: 'We are a charity and want to open an account.' },
];

// The demo's offices and caller regions (config/contact-center.yaml), open around the clock.
const OFFICES = [
  { id: 'us-east', timezone: 'America/New_York', weight: 40, languages: { always: ['en'], extra: [['es', 25]] } },
  { id: 'us-west', timezone: 'America/Los_Angeles', weight: 20, languages: { always: ['en'], extra: [['es', 15], ['zh', 10], ['ko', 10], ['vi', 5]] } },
  { id: 'emea', timezone: 'Europe/Berlin', weight: 25, languages: { first: [['de', 35], ['fr', 25], ['es', 15], ['it', 15], ['nl', 10]], extra: [['en', 70]] } },
  { id: 'apac', timezone: 'Asia/Tokyo', weight: 15, languages: { first: [['ja', 50], ['zh', 25], ['ko', 25]], extra: [['en', 60]] } },
] as const;

const US_WEST_AREA_CODES = ['206', '213', '253', '310', '323', '360', '408', '415', '425', '503', '510', '530', '541', '559', '562', '619', '626', '650', '661', '702', '707', '714', '760', '775', '805', '818', '831', '858', '909', '916', '925', '949', '951', '971'];
const COUNTRY_CODES: Record<string, string> = { '1': 'us-east', '31': 'emea', '33': 'emea', '34': 'emea', '39': 'emea', '44': 'emea', '49': 'emea', '61': 'apac', '65': 'apac', '81': 'apac', '82': 'apac', '86': 'apac' };

const FIRST_NAMES = ['Ana', 'Ben', 'Chloe', 'Dev', 'Elena', 'Frank', 'Grace', 'Hans', 'Ines', 'Jonas', 'Kenji', 'Mika', 'Nora', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sam', 'Tariq', 'Uma', 'Victor', 'Wen', 'Xavier', 'Yara', 'Zoe', 'Aiko', 'Bruno', 'Carla', 'Diego', 'Emma', 'Felix', 'Hana', 'Ivan', 'Julia', 'Liam', 'Mei', 'Noah', 'Olga', 'Pablo', 'Sofia'];
const LAST_NAMES = ['Ruiz', 'Carter', 'Park', 'Patel', 'Gomez', 'Li', 'Kim', 'Weber', 'Martin', 'Becker', 'Sato', 'Tanaka', 'Nguyen', 'Haddad', 'Nair', 'Silva', 'Rossi', 'Dubois', 'Jansen', 'Novak', 'Schmidt', 'Moreau', 'Chen', 'Yamamoto', 'Lopez', 'Brown', 'Fischer', 'Costa', 'Ito', 'Walker', 'Santos', 'Müller', 'Bianchi', 'Kowalski', 'Okafor', 'Andersen', 'Lee', 'Wang', 'Suzuki', 'Garcia'];

/** Deterministic 32-bit generator (mulberry32): the same seed gives the same file everywhere. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function weighted<T>(random: () => number, entries: readonly (readonly [T, number])[]): T {
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = random() * total;
  for (const [value, weight] of entries) {
    roll -= weight;
    if (roll < 0) return value;
  }
  return entries[entries.length - 1]![0];
}

function sample<T>(random: () => number, items: readonly T[], count: number): T[] {
  const pool = [...items];
  const picked: T[] = [];
  while (picked.length < count && pool.length > 0) picked.push(pool.splice(Math.floor(random() * pool.length), 1)[0]!);
  return picked;
}

export function defaultDepartmentCount(agents: number): number {
  return agents < 100 ? 3 : agents < 1_000 ? 15 : 50;
}

/** Skills per agent: from 2 at a thousand agents and more (the issue's "every agent in two or more"), else from 1. */
function skillRange(agents: number, departments: number): [number, number] {
  const min = agents >= 1_000 ? 2 : 1;
  return [Math.min(min, departments), Math.min(min + 2, departments)];
}

/**
 * Fictional North American numbers (555-0100 to 555-0199), a hundred per area code from 601 on: clear of the
 * customers' and the lines' area codes.
 */
function agentNumber(index: number): string {
  let areaCode = 601;
  for (let block = Math.floor(index / 100); ; areaCode += 1) {
    // Skip N11 service codes and the toll-free 8xx codes the lines use.
    if (areaCode % 100 === 11 || Math.floor(areaCode / 100) === 8) continue;
    if (block === 0) break;
    block -= 1;
  }
  return `+1${areaCode}55501${String(index % 100).padStart(2, '0')}`;
}

/** The routing file as plain data, kebab-case keys as in config/contact-center.yaml. */
export type GeneratedContactCenter = z.input<typeof contactCenterFileSchema> & { agents: Agent[]; customers: Customer[] };

export function generateContactCenter(options: GeneratorOptions): GeneratedContactCenter {
  const count = Math.floor(options.agents);
  if (!(count >= 1)) throw new Error(`agents must be at least 1, got ${options.agents}`);
  const departmentCount = options.departments ?? defaultDepartmentCount(count);
  if (!(departmentCount >= 1 && departmentCount <= DEPARTMENT_CATALOGUE.length)) {
    throw new Error(`departments must be 1..${DEPARTMENT_CATALOGUE.length}, got ${departmentCount}`);
  }
  const random = seededRandom(options.seed ?? DEFAULT_SEED);
  const departments = DEPARTMENT_CATALOGUE.slice(0, departmentCount);
  const idWidth = Math.max(4, String(count).length);
  const [minSkills, maxSkills] = skillRange(count, departmentCount);

  let numbered = 0;
  const agents: Agent[] = Array.from({ length: count }, (_, index) => {
    const id = `a-${String(index + 1).padStart(idWidth, '0')}`;
    // Round-robin over offices for the first four, so even the smallest center staffs every office.
    const office = index < OFFICES.length ? OFFICES[index]! : weighted(random, OFFICES.map((o) => [o, o.weight] as const));
    const spec = office.languages;
    const languages: string[] = [...('first' in spec ? [weighted(random, spec.first)] : spec.always)];
    for (const [language, percent] of spec.extra) if (random() * 100 < percent && !languages.includes(language)) languages.push(language);
    const skillCount = minSkills + Math.floor(random() * (maxSkills - minSkills + 1));
    const skills = sample(random, departments, skillCount).map((department) => department.id);
    const destination: CallDestination = random() < 0.55 ? { type: 'number', number: agentNumber(numbered++) } : { type: 'sip', sipUri: `sip:${id}@${office.id}.pbx.example.com` };
    return {
      id,
      name: `${FIRST_NAMES[Math.floor(random() * FIRST_NAMES.length)]} ${LAST_NAMES[Math.floor(random() * LAST_NAMES.length)]}`,
      office: office.id,
      skills: departments.filter((department) => skills.includes(department.id)).map((department) => department.id),
      languages,
      tier: random() < 0.25 ? 'senior' : 'junior',
      maxConcurrent: random() < 0.25 ? 2 : 1,
      destination,
    };
  });

  // Every department staffed in every office that has agents, so a caller's own office can take the call.
  for (const office of OFFICES) {
    const local = agents.filter((agent) => agent.office === office.id);
    if (local.length === 0) continue;
    for (const department of departments) {
      if (local.some((agent) => agent.skills.includes(department.id))) continue;
      const agent = local[Math.floor(random() * local.length)]!;
      agent.skills = departments.filter((d) => d.id === department.id || agent.skills.includes(d.id)).map((d) => d.id);
    }
  }

  return {
    offices: Object.fromEntries(OFFICES.map((office) => [office.id, { timezone: office.timezone, hours: { 'mon-sun': '00:00-24:00' } }])),
    'caller-regions': { 'us-west-area-codes': US_WEST_AREA_CODES, 'country-codes': COUNTRY_CODES },
    departments: Object.fromEntries(
      departments.map((department, index) => [
        department.id,
        {
          aliases: [department.id, ...department.aliases],
          line: { type: 'number', number: `+1800555${String(101 + index).padStart(4, '0')}` },
          ...structuredClone(options.departmentSettings ?? {}),
        },
      ]),
    ),
    lines: {
      general: { type: 'number', number: '+18005550100' },
      'enterprise-24x7': { type: 'number', number: '+18005550199' },
      'after-hours-voicemail': { type: 'sip', sipUri: 'sip:voicemail@pbx.example.com' },
    },
    agents,
    customers: customersFor(agents, random),
  };
}

/** A few CRM customers, one or more per office, of every tier; some with a last agent who speaks their language. */
function customersFor(agents: readonly Agent[], random: () => number): Customer[] {
  const people = [
    { name: 'Maria Lopez (Acme Corp)', phone: '+12125550111', tier: 'enterprise', language: 'en', office: 'us-east' },
    { name: 'Jordan Blake', phone: '+13105550112', tier: 'standard', language: 'en', office: 'us-west', escalations90d: 2 },
    { name: 'Lucia Fernandez', phone: '+12025550113', tier: 'premium', language: 'es', office: 'us-east' },
    { name: 'Klaus Mueller', phone: '+4930555011400', tier: 'standard', language: 'de', office: 'emea' },
    { name: 'Camille Dubois (Dubois SA)', phone: '+33155501150', tier: 'enterprise', language: 'fr', office: 'emea' },
    { name: 'Yuki Yamamoto', phone: '+81355501160', tier: 'premium', language: 'ja', office: 'apac' },
    { name: 'Wei Chen', phone: '+14155550117', tier: 'standard', language: 'zh', office: 'us-west' },
    { name: 'Priya Nair', phone: '+12025550118', tier: 'standard', language: 'en', office: 'us-east' },
  ] as const;
  return people.map((person, index) => {
    const known = agents.filter((agent) => agent.office === person.office && agent.languages.includes(person.language));
    const lastAgent = index % 2 === 0 && known.length > 0 ? known[Math.floor(random() * known.length)]!.id : undefined;
    return {
      id: `c-${1001 + index}`,
      name: person.name,
      phone: person.phone,
      tier: person.tier,
      language: person.language,
      office: person.office,
      ...(lastAgent ? { lastAgent } : {}),
      escalations90d: 'escalations90d' in person ? person.escalations90d : 0,
    };
  });
}

/** YAML text laid out as the demo file: one agent, customer, department line or line per line. */
export function contactCenterYaml(center: GeneratedContactCenter, header: string): string {
  // Validated before it is written: a generator bug must not become a benchmark of a broken file.
  const parsed = contactCenterFileSchema.safeParse(center);
  if (!parsed.success) throw new Error(`generated routing file is invalid: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  const document = new Document(center);
  const flow = (node: unknown) => {
    if (node instanceof YAMLMap || node instanceof YAMLSeq) node.flow = true;
  };
  flow(document.getIn(['caller-regions', 'us-west-area-codes']));
  for (const id of Object.keys(center.departments)) {
    flow(document.getIn(['departments', id, 'aliases']));
    flow(document.getIn(['departments', id, 'line']));
  }
  for (const id of Object.keys(center.lines)) flow(document.getIn(['lines', id]));
  for (const key of ['agents', 'customers']) {
    const list = document.get(key);
    if (list instanceof YAMLSeq) list.items.forEach(flow);
  }
  const comment = header
    .split('\n')
    .map((line) => (line ? `# ${line}` : '#'))
    .join('\n');
  return `${comment}\n\n${document.toString({ lineWidth: 0, flowCollectionPadding: false })}`;
}

/**
 * What the load sends to a generated center: a request per department (its id, a reason and the caller's
 * words) and callers that are its CRM customers or unknown numbers from every region.
 */
export function generatedTraffic(center: Pick<ContactCenter, 'departments' | 'customers'>): TrafficMix {
  const requests = center.departments.map((department) => {
    const known = DEPARTMENT_CATALOGUE.find((entry) => entry.id === department.id);
    const reason = known?.reason ?? `question about ${department.id}`;
    return { department: department.id, reason, turns: [known?.says ?? `I have a ${reason}.`, `${department.id}, please.`] };
  });
  // Eight customers and three unknown callers: eleven, prime, so the cycles pair every department with every caller.
  const unknownCallers = ['+15555550100', '+14155550199', '+493055501999'];
  return { requests, callers: [...center.customers.map((customer) => customer.phone), ...unknownCallers] };
}

/** Agent id by the destination a control `transfer` names, to tell which agent a transfer went to. */
export function agentsByDestination(center: Pick<ContactCenter, 'agents'>): Map<string, string> {
  return new Map(center.agents.map((agent) => [destinationKey(agent.destination), agent.id]));
}

export function destinationKey(destination: unknown): string {
  const value = destination as { type?: unknown; number?: unknown; sipUri?: unknown } | null;
  if (value?.type === 'number') return `number:${String(value.number)}`;
  if (value?.type === 'sip') return `sip:${String(value.sipUri)}`;
  return 'other';
}
