import { DOCUMENT_ID_PATTERN, createDocumentId, createOrderedDocumentIds } from '../../server/src/utils/ids';

describe('documentIds', () => {
  it('are Strapi-5-shaped', () => {
    expect(createDocumentId()).toMatch(DOCUMENT_ID_PATTERN);
    for (const id of createOrderedDocumentIds(50)) expect(id).toMatch(DOCUMENT_ID_PATTERN);
  });

  it('come out of createOrderedDocumentIds unique and in creation order, across calls', () => {
    const ids = [...createOrderedDocumentIds(1000), ...createOrderedDocumentIds(1000)];
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });
});
