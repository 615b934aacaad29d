import type request from 'supertest';

/** A 400 in Strapi's error shape (server/src/utils/errors.ts); with `path`, one of its errors is about that input path. */
export const expectValidationError = (res: request.Response, path?: string[]) => {
  expect(res.status).toBe(400);
  expect(res.body).toMatchObject({ data: null, error: { status: 400, name: 'ValidationError' } });
  if (path) expect(res.body.error.details.errors.map((e: any) => e.path)).toContainEqual(path);
};

/** Any error answer in Strapi's error shape, with its status (and its error name when given). */
export const expectError = (res: request.Response, status: number, name?: string) => {
  expect(res.status).toBe(status);
  expect(res.body).toMatchObject({ data: null, error: { status, message: expect.any(String) } });
  if (name) expect(res.body.error.name).toBe(name);
};
