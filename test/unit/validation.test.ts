import { errors } from '@strapi/utils';
import {
  documentId,
  emptyBodySchema,
  emptyQuerySchema,
  inboxQuerySchema,
  messageParams,
  messagesQuerySchema,
  newThreadSchema,
  parse,
  recipientSchema,
  recipientsQuerySchema,
  replySchema,
  threadParams,
  threadQuerySchema,
  userParams,
} from '../../server/src/validation';

const ID = 'abcdefghijklmnopqrstuvw1'; // 24 characters, starting with a letter

/** The ValidationError `fn` throws (fails the test if it throws nothing or something else). */
const validationErrorOf = (fn: () => unknown): any => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(errors.ValidationError);
    expect((e as Error).name).toBe('ValidationError');
    return e;
  }
  throw new Error('expected a ValidationError');
};
const pathsOf = (fn: () => unknown) => validationErrorOf(fn).details.errors.map((e: any) => e.path);

describe('parse', () => {
  it('returns the parsed data', () => {
    expect(parse(replySchema, { body: 'hi', format: 'basic_html' })).toEqual({ body: 'hi', format: 'basic_html' });
  });

  it('treats undefined and null input as an empty object', () => {
    expect(parse(emptyBodySchema, undefined)).toEqual({});
    expect(parse(emptyBodySchema, null)).toEqual({});
    expect(parse(inboxQuerySchema, undefined, 'query')).toEqual({});
  });

  it('throws a ValidationError with details.errors = [{ path, message, name }]', () => {
    const error = validationErrorOf(() => parse(replySchema, { body: '' }));
    expect(error.details.errors).toHaveLength(1);
    const [item] = error.details.errors;
    expect(item).toEqual({ path: ['body'], message: expect.any(String), name: 'ValidationError' });
    expect(Object.keys(item).sort()).toEqual(['message', 'name', 'path']);
  });

  it('names where the problem is in the message (body by default)', () => {
    expect(validationErrorOf(() => parse(replySchema, {})).message).toMatch(/^Invalid body: body /);
    expect(validationErrorOf(() => parse(inboxQuerySchema, { limit: '0' }, 'query')).message).toMatch(
      /^Invalid query: limit /
    );
    expect(validationErrorOf(() => parse(threadParams, { id: 'x' }, 'path')).message).toMatch(/^Invalid path: id /);
  });

  it('uses an empty path, and `where` in the message, for a problem with the whole input', () => {
    const error = validationErrorOf(() => parse(newThreadSchema, 'a string'));
    expect(error.details.errors).toEqual([{ path: [], message: expect.any(String), name: 'ValidationError' }]);
    expect(error.message).toMatch(/^Invalid body: body /);
    expect(pathsOf(() => parse(newThreadSchema, [1, 2]))).toEqual([[]]);
  });

  it('lists every problem, each with its own path', () => {
    expect(pathsOf(() => parse(newThreadSchema, {}))).toEqual([['recipients'], ['body']]);
  });

  it('gives paths as strings, array indexes included', () => {
    const paths = pathsOf(() => parse(newThreadSchema, { recipients: [{ type: 'user', id: 1 }, { type: 'x', id: 1 }], body: 'x' }));
    expect(paths).toEqual([['recipients', '1', 'type']]);
  });

  describe('strict objects', () => {
    it('refuses an unknown key, with the key in the path', () => {
      const error = validationErrorOf(() => parse(replySchema, { body: 'x', extra: 1 }));
      expect(error.details.errors).toEqual([
        { path: ['extra'], message: 'is not an allowed key', name: 'ValidationError' },
      ]);
      expect(error.message).toBe('Invalid body: extra is not an allowed key');
    });

    it('gives one error item per unknown key', () => {
      const error = validationErrorOf(() => parse(replySchema, { body: 'x', a: 1, b: 2, c: 3 }));
      expect(error.details.errors.map((e: any) => e.path)).toEqual([['a'], ['b'], ['c']]);
      expect(error.details.errors.every((e: any) => e.message === 'is not an allowed key')).toBe(true);
    });

    it('puts the path of the object before the unknown key', () => {
      const paths = pathsOf(() =>
        parse(newThreadSchema, { recipients: [{ type: 'user', id: 1, name: 'x', extra: true }], body: 'x' })
      );
      expect(paths).toEqual([
        ['recipients', '0', 'name'],
        ['recipients', '0', 'extra'],
      ]);
    });

    it('reports unknown keys next to other problems', () => {
      const paths = pathsOf(() => parse(newThreadSchema, { recipients: [], body: 'x', sneaky: 1 }));
      expect(paths).toEqual(expect.arrayContaining([['recipients'], ['sneaky']]));
      expect(paths).toHaveLength(2);
    });

    it('refuses keys that look like Object.prototype members', () => {
      expect(pathsOf(() => parse(emptyBodySchema, { constructor: 1, toString: 'x' }))).toEqual([
        ['constructor'],
        ['toString'],
      ]);
    });

    it.each([
      ['emptyBodySchema', emptyBodySchema],
      ['emptyQuerySchema', emptyQuerySchema],
    ])('%s accepts only {}', (_name, schema) => {
      expect(parse(schema, {})).toEqual({});
      expect(pathsOf(() => parse(schema, { populate: '*' }))).toEqual([['populate']]);
    });
  });
});

describe('recipientSchema', () => {
  it('accepts a user or a role with a positive integer id', () => {
    expect(recipientSchema.parse({ type: 'user', id: 1 })).toEqual({ type: 'user', id: 1 });
    expect(recipientSchema.parse({ type: 'role', id: 3 })).toEqual({ type: 'role', id: 3 });
  });

  it.each([
    { type: 'group', id: 1 },
    { type: 'user', id: 0 },
    { type: 'user', id: -1 },
    { type: 'user', id: 1.5 },
    { type: 'user', id: '1' },
    { type: 'user' },
    { id: 1 },
    { type: 'user', id: 1, extra: 1 },
  ])('refuses %j', (input) => {
    expect(recipientSchema.safeParse(input).success).toBe(false);
  });
});

describe('newThreadSchema', () => {
  const valid = { recipients: [{ type: 'user', id: 2 }], body: 'Hello' };

  it('accepts the minimal body and every optional field', () => {
    expect(parse(newThreadSchema, valid)).toEqual(valid);
    const full = { ...valid, subject: 'Hi', format: 'full_html', skipRefused: true };
    expect(parse(newThreadSchema, full)).toEqual(full);
  });

  it('needs at least one and at most 1000 recipients', () => {
    expect(pathsOf(() => parse(newThreadSchema, { ...valid, recipients: [] }))).toEqual([['recipients']]);
    const many = Array.from({ length: 1001 }, (_, i) => ({ type: 'user', id: i + 1 }));
    expect(pathsOf(() => parse(newThreadSchema, { ...valid, recipients: many }))).toEqual([['recipients']]);
    expect(parse(newThreadSchema, { ...valid, recipients: many.slice(0, 1000) }).recipients).toHaveLength(1000);
  });

  it('limits the subject to 255 characters', () => {
    expect(parse(newThreadSchema, { ...valid, subject: 's'.repeat(255) }).subject).toHaveLength(255);
    expect(pathsOf(() => parse(newThreadSchema, { ...valid, subject: 's'.repeat(256) }))).toEqual([['subject']]);
  });

  it('needs a non-empty string body, but leaves its maximum length to the formats service', () => {
    expect(pathsOf(() => parse(newThreadSchema, { ...valid, body: '' }))).toEqual([['body']]);
    expect(pathsOf(() => parse(newThreadSchema, { ...valid, body: 42 }))).toEqual([['body']]);
    expect(parse(newThreadSchema, { ...valid, body: 'x'.repeat(2_000_000) }).body).toHaveLength(2_000_000);
  });

  it('accepts only the known formats', () => {
    for (const format of ['plain_text', 'basic_html', 'full_html']) {
      expect(parse(newThreadSchema, { ...valid, format }).format).toBe(format);
    }
    expect(pathsOf(() => parse(newThreadSchema, { ...valid, format: 'markdown' }))).toEqual([['format']]);
    expect(pathsOf(() => parse(newThreadSchema, { ...valid, format: 'PLAIN_TEXT' }))).toEqual([['format']]);
  });

  it('needs skipRefused to be a boolean', () => {
    expect(pathsOf(() => parse(newThreadSchema, { ...valid, skipRefused: 'true' }))).toEqual([['skipRefused']]);
  });
});

describe('replySchema', () => {
  it('accepts a body and an optional format', () => {
    expect(parse(replySchema, { body: 'x' })).toEqual({ body: 'x' });
  });

  it('refuses fields of a new thread', () => {
    expect(pathsOf(() => parse(replySchema, { body: 'x', subject: 's', recipients: [] }))).toEqual([
      ['subject'],
      ['recipients'],
    ]);
  });
});

describe('query schemas (values arrive as strings)', () => {
  it('coerces limit', () => {
    expect(parse(inboxQuerySchema, { limit: '10' }, 'query')).toEqual({ limit: 10 });
    expect(parse(threadQuerySchema, { limit: '100' }, 'query')).toEqual({ limit: 100 });
    expect(parse(messagesQuerySchema, { limit: '1' }, 'query')).toEqual({ limit: 1 });
  });

  it.each(['0', '101', '-1', '1.5', 'abc', ''])('refuses limit=%j', (limit) => {
    expect(pathsOf(() => parse(inboxQuerySchema, { limit }, 'query'))).toEqual([['limit']]);
  });

  it('refuses a repeated limit (an array)', () => {
    expect(pathsOf(() => parse(inboxQuerySchema, { limit: ['1', '2'] }, 'query'))).toEqual([['limit']]);
  });

  it('accepts a cursor of 1 to 512 characters', () => {
    expect(parse(inboxQuerySchema, { cursor: 'c'.repeat(512) }, 'query').cursor).toHaveLength(512);
    expect(pathsOf(() => parse(inboxQuerySchema, { cursor: 'c'.repeat(513) }, 'query'))).toEqual([['cursor']]);
    expect(pathsOf(() => parse(inboxQuerySchema, { cursor: '' }, 'query'))).toEqual([['cursor']]);
    expect(parse(messagesQuerySchema, { before: 'abc.def' }, 'query')).toEqual({ before: 'abc.def' });
  });

  it('keeps the parameters of each route apart', () => {
    expect(pathsOf(() => parse(threadQuerySchema, { cursor: 'x' }, 'query'))).toEqual([['cursor']]);
    expect(pathsOf(() => parse(messagesQuerySchema, { cursor: 'x' }, 'query'))).toEqual([['cursor']]);
    expect(pathsOf(() => parse(inboxQuerySchema, { before: 'x' }, 'query'))).toEqual([['before']]);
    expect(pathsOf(() => parse(inboxQuerySchema, { page: '2', sort: 'id' }, 'query'))).toEqual([['page'], ['sort']]);
  });

  describe('recipientsQuerySchema', () => {
    it('trims q and coerces limit (at most 50)', () => {
      expect(parse(recipientsQuerySchema, { q: '  ann  ', limit: '50' }, 'query')).toEqual({ q: 'ann', limit: 50 });
      expect(pathsOf(() => parse(recipientsQuerySchema, { q: 'a', limit: '51' }, 'query'))).toEqual([['limit']]);
    });

    it('needs q, non-blank, at most 100 characters', () => {
      expect(pathsOf(() => parse(recipientsQuerySchema, {}, 'query'))).toEqual([['q']]);
      expect(pathsOf(() => parse(recipientsQuerySchema, { q: '   ' }, 'query'))).toEqual([['q']]);
      expect(parse(recipientsQuerySchema, { q: 'q'.repeat(100) }, 'query').q).toHaveLength(100);
      expect(pathsOf(() => parse(recipientsQuerySchema, { q: 'q'.repeat(101) }, 'query'))).toEqual([['q']]);
    });
  });
});

describe('path parameters', () => {
  it('accepts a Strapi documentId', () => {
    expect(parse(threadParams, { id: ID }, 'path')).toEqual({ id: ID });
    expect(parse(messageParams, { id: ID }, 'path')).toEqual({ id: ID });
    expect(documentId.safeParse(ID).success).toBe(true);
  });

  it.each([
    ['too short', ID.slice(1)],
    ['too long', `${ID}a`],
    ['upper case', ID.toUpperCase()],
    ['starting with a digit', `1${ID.slice(1)}`],
    ['a numeric id', '12'],
    ['with a dash', `${ID.slice(0, 23)}-`],
    ['a number', 12],
  ])('refuses an id that is %s', (_name, id) => {
    const error = validationErrorOf(() => parse(threadParams, { id }, 'path'));
    expect(error.details.errors.map((e: any) => e.path)).toEqual([['id']]);
  });

  it('says an invalid id is not a valid id', () => {
    const error = validationErrorOf(() => parse(threadParams, { id: 'nope' }, 'path'));
    expect(error.details.errors[0].message).toBe('is not a valid id');
  });

  it('refuses extra path parameters', () => {
    expect(pathsOf(() => parse(threadParams, { id: ID, 0: 'x' }, 'path'))).toEqual([['0']]);
  });

  it('coerces userId to a positive 32-bit integer', () => {
    expect(parse(userParams, { userId: '5' }, 'path')).toEqual({ userId: 5 });
    expect(parse(userParams, { userId: '2147483647' }, 'path')).toEqual({ userId: 2_147_483_647 });
  });

  it.each(['0', '-1', '1.5', 'abc', '', '2147483648'])('refuses userId=%j', (userId) => {
    expect(pathsOf(() => parse(userParams, { userId }, 'path'))).toEqual([['userId']]);
  });
});
