import type { Core } from '@strapi/strapi';

/*
 * The playground's `listing` content type (draft & publish, localized, a `seller` relation to the
 * users-permissions user), written through Strapi's document service as the Content Manager does.
 */
export const LISTING = 'api::listing.listing';

const listings = (strapi: Core.Strapi) => strapi.documents(LISTING as any) as any;

const userRef = async (strapi: Core.Strapi, userId: number) => {
  const user = await strapi.db.query('plugin::users-permissions.user').findOne({ where: { id: userId } });
  return { documentId: user.documentId as string };
};

/** A listing, published unless `draft`; `seller: null` leaves it without one. Answers its documentId. */
export const createListing = async (
  strapi: Core.Strapi,
  input: { title: string; seller: number | null; draft?: boolean; locale?: string }
): Promise<string> => {
  const seller = input.seller === null ? undefined : { connect: [await userRef(strapi, input.seller)] };
  const created = await listings(strapi).create({
    data: { title: input.title, ...(seller ? { seller } : {}) },
    ...(input.locale ? { locale: input.locale } : {}),
    ...(input.draft ? {} : { status: 'published' }),
  });
  return created.documentId;
};

/** Another locale's version of a listing, published. */
export const translateListing = async (strapi: Core.Strapi, documentId: string, locale: string, input: { title: string; seller: number }) => {
  await listings(strapi).update({ documentId, locale, data: { title: input.title, seller: { connect: [await userRef(strapi, input.seller)] } } });
  await listings(strapi).publish({ documentId, locale });
};

/** Gives the listing another seller and publishes the change. */
export const changeSeller = async (strapi: Core.Strapi, documentId: string, sellerId: number) => {
  await listings(strapi).update({ documentId, data: { seller: { set: [await userRef(strapi, sellerId)] } } });
  await listings(strapi).publish({ documentId });
};

/** A new title and seller saved as a draft, not published: readers still see the published version. */
export const editDraft = async (strapi: Core.Strapi, documentId: string, input: { title: string; seller: number }) => {
  await listings(strapi).update({ documentId, data: { title: input.title, seller: { set: [await userRef(strapi, input.seller)] } } });
};

/** Unpublishes the listing (in the default locale, or in `locale` only). */
export const unpublishListing = (strapi: Core.Strapi, documentId: string, locale?: string) =>
  listings(strapi).unpublish({ documentId, ...(locale ? { locale } : {}) });
export const deleteListing = (strapi: Core.Strapi, documentId: string) => listings(strapi).delete({ documentId });

/** A locale the i18n plugin offers (created once). */
export const ensureLocale = async (strapi: Core.Strapi, code: string) => {
  const locales = strapi.plugin('i18n').service('locales');
  if (!(await locales.findByCode(code))) await locales.create({ code, name: code });
};
