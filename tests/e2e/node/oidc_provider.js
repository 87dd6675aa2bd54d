// A real OpenID provider on loopback for the console's OIDC test (node oidc_provider.js).
// Environment: PORT, REDIRECT_URI (the console's callback), AUDIENCE (the services' audience).
// Prints "ready <issuer>" once listening. Accounts sign in through oidc-provider's own
// development login form (any password); their claims carry the agency and the provider's
// group names, which the services map to roles (OGI_OIDC_ROLE_MAP). Client "ogi-test" may also
// get tokens by client credentials, for any resource (audience) asked for.
'use strict';
const crypto = require('node:crypto');
const Provider = require('oidc-provider').default || require('oidc-provider');

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const audience = process.env.AUDIENCE;
const accounts = {
  li: { name: '李四', agency: 'HZMZJ', groups: ['承办人'] },
  zhao: { name: '赵主任', agency: 'HZMZJ', groups: ['负责人', '承办人'] },
  stranger: { name: '某人', agency: 'HZMZJ', groups: ['访客'] },
};
const testClaims = { name: '接口测试', agency: 'HZMZJ', groups: ['承办人'] };

const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: `k-${port}`, use: 'sig', alg: 'RS256' };

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'ogi-console',
      client_secret: 'console-secret',
      redirect_uris: [process.env.REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    {
      client_id: 'ogi-test',
      client_secret: 'test-secret',
      redirect_uris: [],
      grant_types: ['client_credentials'],
      response_types: [],
    },
  ],
  jwks: { keys: [jwk] },
  pkce: { required: () => true },
  cookies: { keys: ['a-test-key-only'] },
  claims: { openid: ['sub'], profile: ['name', 'agency', 'groups'] },
  scopes: ['openid', 'profile', 'offline_access'],
  features: {
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => audience,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, resource) => ({
        scope: 'openid profile',
        audience: resource,
        accessTokenFormat: 'jwt',
        accessTokenTTL: 600,
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
  async findAccount(_ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...account }) };
  },
  async extraTokenClaims(_ctx, token) {
    if (token.accountId && accounts[token.accountId]) return accounts[token.accountId];
    if (token.clientId === 'ogi-test') return testClaims;
    return undefined;
  },
  loadExistingGrant: async (ctx) => {
    // First-party console: consent is implied (the agency runs both).
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid profile');
    grant.addResourceScope(audience, 'openid profile');
    await grant.save();
    return grant;
  },
});
provider.proxy = false;
provider.listen(port, '127.0.0.1', () => console.log(`ready ${issuer}`));
