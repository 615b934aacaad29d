import { checkContextsAgainstModels, contextUrl, resolveContextsConfig } from '../../server/src/config/contexts';

/* The `contexts` declarations of config/plugins: their shape, then against the content types. */
const LISTING = { ownerField: 'seller', titleField: 'title', urlTemplate: 'https://shop.example/l/{documentId}' };
const resolve = (contexts: unknown) => resolveContextsConfig({ contexts });

describe('resolveContextsConfig', () => {
  it('takes a declaration as given, and none when absent', () => {
    expect(resolve({ 'api::listing.listing': LISTING })).toEqual({ 'api::listing.listing': LISTING });
    expect(resolve({ 'api::listing.listing': { ...LISTING, requests: false } })['api::listing.listing'].requests).toBe(false);
    expect(resolveContextsConfig({})).toEqual({});
  });

  it.each([
    ['a key that is not a uid', { listing: LISTING }, /contexts\.listing: is not a content-type uid/],
    ['a missing ownerField', { 'api::a.a': { titleField: 'title', urlTemplate: LISTING.urlTemplate } }, /contexts\.api::a\.a\.ownerField/],
    ['an unknown key', { 'api::a.a': { ...LISTING, owner: 'x' } }, /contexts\.api::a\.a/],
    ['a javascript: template', { 'api::a.a': { ...LISTING, urlTemplate: 'javascript:alert({documentId})' } }, /urlTemplate: must be an absolute http\(s\) URL/],
    ['a relative template', { 'api::a.a': { ...LISTING, urlTemplate: '/l/{documentId}' } }, /urlTemplate/],
    ['a protocol-relative template', { 'api::a.a': { ...LISTING, urlTemplate: '//shop.example/{documentId}' } }, /urlTemplate/],
    ['requests that is not a boolean', { 'api::a.a': { ...LISTING, requests: 'yes' } }, /requests/],
  ])('refuses %s, naming its path', (_name, contexts, message) => {
    expect(() => resolve(contexts)).toThrow(message);
  });
});

describe('checkContextsAgainstModels', () => {
  const models: Record<string, { attributes: Record<string, object> }> = {
    'api::listing.listing': {
      attributes: {
        title: { type: 'string' },
        price: { type: 'decimal' },
        seller: { type: 'relation', relation: 'manyToOne', target: 'plugin::users-permissions.user' },
        buyers: { type: 'relation', relation: 'manyToMany', target: 'plugin::users-permissions.user' },
        shop: { type: 'relation', relation: 'manyToOne', target: 'api::shop.shop' },
      },
    },
  };
  const check = (declaration: object, uid = 'api::listing.listing') => () => checkContextsAgainstModels({ [uid]: { ...LISTING, ...declaration } }, (u) => models[u]);

  it('accepts a single relation to the user and a text title', () => {
    expect(check({})).not.toThrow();
  });

  it.each([
    ['a content type that does not exist', {}, 'api::nope.nope', /contexts\.api::nope\.nope: no content type/],
    ['an owner field that does not exist', { ownerField: 'owner' }, undefined, /ownerField: api::listing\.listing has no attribute owner/],
    ['an owner field that is not a relation', { ownerField: 'price' }, undefined, /ownerField: price is not a relation/],
    ['an owner field relating many users', { ownerField: 'buyers' }, undefined, /ownerField: buyers is not a relation/],
    ['an owner field relating something else', { ownerField: 'shop' }, undefined, /ownerField: shop is not a relation/],
    ['a title field that does not exist', { titleField: 'name' }, undefined, /titleField: api::listing\.listing has no attribute name/],
    ['a title field that is not text', { titleField: 'price' }, undefined, /titleField: price is a decimal, not text/],
  ])('refuses %s', (_name, declaration, uid, message) => {
    expect(check(declaration, uid)).toThrow(message);
  });
});

it('fills {documentId} into the template, URL-encoded, wherever it appears', () => {
  expect(contextUrl('https://a.example/{documentId}?again={documentId}', 'a b')).toBe('https://a.example/a%20b?again=a%20b');
});
