// The text the demo base model is pretrained on, made here from templates and word lists
// (nothing is downloaded or copied in): short plain-English sentences about weather,
// places, animals, work and water. Deterministic for a seed. It is deliberately generic:
// the demo datanets are about rivers, so fine-tuning on them has something to teach.
import { prng } from '../random/prng.ts';

const W = {
  animal: ['fox', 'heron', 'otter', 'goat', 'sparrow', 'horse', 'beaver', 'crow', 'salmon', 'deer', 'dog', 'owl'],
  place: ['valley', 'village', 'harbour', 'forest', 'meadow', 'market', 'bridge', 'hill', 'station', 'garden', 'field', 'road'],
  person: ['the farmer', 'a teacher', 'the miller', 'my neighbour', 'the ferryman', 'a child', 'the baker', 'an old sailor', 'the doctor', 'a traveller'],
  season: ['spring', 'summer', 'autumn', 'winter'],
  weather: ['rain', 'wind', 'snow', 'fog', 'sunshine', 'frost', 'thunder', 'mist'],
  verb: ['walks', 'waits', 'rests', 'sings', 'works', 'sleeps', 'hides', 'runs', 'looks', 'listens'],
  thing: ['bread', 'wood', 'stones', 'apples', 'letters', 'nets', 'boats', 'tools', 'seeds', 'lanterns'],
  adj: ['quiet', 'cold', 'bright', 'busy', 'narrow', 'green', 'old', 'wide', 'dark', 'warm'],
  time: ['in the morning', 'at noon', 'in the evening', 'at night', 'before dawn', 'after the storm'],
};

const TEMPLATES: Array<(p: (k: keyof typeof W) => string, n: () => number) => string> = [
  (p) => `The ${p('animal')} ${p('verb')} near the ${p('adj')} ${p('place')} ${p('time')}.`,
  (p) => `In ${p('season')} the ${p('weather')} comes early to the ${p('place')}.`,
  (p, n) => `${cap(p('person'))} carries ${n()} baskets of ${p('thing')} to the ${p('place')}.`,
  (p) => `When the ${p('weather')} stops, ${p('person')} ${p('verb')} by the ${p('place')}.`,
  (p) => `The ${p('place')} is ${p('adj')} ${p('time')}, and the ${p('animal')} ${p('verb')}.`,
  (p, n) => `It took ${n()} days to mend the ${p('adj')} ${p('place')} after the ${p('weather')}.`,
  (p) => `Everyone in the ${p('place')} knows that ${p('person')} ${p('verb')} ${p('time')}.`,
  (p) => `${cap(p('person'))} says the ${p('animal')} likes the ${p('adj')} ${p('season')} ${p('weather')}.`,
];

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** `n` short documents of 3-7 sentences each. */
export function demoCorpus(seed: number, n: number): string[] {
  const r = prng(seed);
  const pick = (k: keyof typeof W) => W[k][Math.floor(r() * W[k].length)];
  const num = () => 2 + Math.floor(r() * 18);
  return Array.from({ length: n }, () => Array.from({ length: 3 + Math.floor(r() * 5) }, () => TEMPLATES[Math.floor(r() * TEMPLATES.length)](pick, num)).join(' '));
}
