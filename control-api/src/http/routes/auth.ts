/** CONTRACT: POST /auth/login, /auth/logout, /auth/logout-all; GET /me; POST /me/password. */
import { LoginBody, PasswordChangeBody } from '@gwanje/protocol';
import type { RequestHandler } from 'express';
import { notFound } from '../errors.js';
import { Reply, type RouteSpec, route } from '../route.js';

export function authRoutes(loginLimiter: RequestHandler): RouteSpec[] {
  return [
    route({
      method: 'post',
      path: '/api/v1/auth/login',
      access: 'public',
      body: LoginBody,
      before: [loginLimiter],
      async handle({ deps, body, ip }) {
        const r = await deps.auth.login(body.username, body.password, ip);
        // Issue 19: the instances a console may move to when this one stops answering.
        const centers = deps.centerUrls?.length ? { centers: deps.centerUrls } : {};
        return { token: r.token, user: r.user, expiresAt: r.expiresAt, ...centers };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/auth/logout',
      access: 'any',
      async handle({ deps, principal, ip }) {
        await deps.auth.logout(principal, ip);
        return new Reply(204);
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/auth/logout-all',
      access: 'any',
      async handle({ deps, principal, ip }) {
        await deps.auth.logoutAll(principal, ip);
        return new Reply(204);
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/me',
      access: 'any',
      async handle({ deps, principal }) {
        const u = await deps.auth.users.get(principal.username);
        if (!u) throw notFound('user');
        return u;
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/me/password',
      access: 'any',
      body: PasswordChangeBody,
      async handle({ deps, principal, body, ip }) {
        await deps.auth.changeOwnPassword(principal, body.current, body.password, ip);
        return new Reply(204);
      },
    }),
  ];
}
