// Floor 1: Fastify alone (the HTTP framework under the service), GET /user answering like the
// node:http ceiling. What any Fastify service pays before doing anything of its own.
import Fastify from 'fastify';
import { verify } from './hs256.mjs';

const app = Fastify();
app.get('/user', (request, reply) => {
  const authorization = request.headers.authorization;
  const claims = authorization?.startsWith('Bearer ') ? verify(authorization.slice(7)) : null;
  if (claims === null) {
    return reply.code(401).header('www-authenticate', 'Bearer').send();
  }
  return { id: claims.id, name: claims.name };
});
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 8400) });
