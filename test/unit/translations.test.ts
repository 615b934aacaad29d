import en from '../../admin/src/translations/en.json';
import fr from '../../admin/src/translations/fr.json';
import { placeholders, usedTranslations } from './translation-keys';

/** Every string of the admin side has an English and a French translation, with the same placeholders. */
const used = usedTranslations();
const EXTRA_KEYS = ['plugin.name'];

it("en.json holds every id the admin code uses, with the code's default message, and nothing else", () => {
  expect(used.size).toBeGreaterThan(50);
  expect(Object.keys(en).sort()).toEqual([...used.keys(), ...EXTRA_KEYS].sort());
  for (const [id, message] of used) expect([id, (en as Record<string, string>)[id]]).toEqual([id, message]);
});

it('fr.json translates exactly the same ids, with the same placeholders', () => {
  expect(Object.keys(fr).sort()).toEqual(Object.keys(en).sort());
  for (const [id, message] of Object.entries(en as Record<string, string>)) {
    const french = (fr as Record<string, string>)[id];
    expect([id, placeholders(french)]).toEqual([id, placeholders(message)]);
    if (!/^[\d\W]*$/.test(message) && !['resolve.note'].includes(id)) {
      // A French string identical to the English one is most likely an untranslated one.
      expect([id, french]).not.toEqual([id, message]);
    }
  }
});
