// GraphQL access for the viewer: every query text the page sends lives here, so a schema
// change touches one file. The page only reads; it never sends a mutation. Enum values come
// back as GraphQL names (ALLOW, GLOBAL, B2B_COLLABORATION); the page lower-cases for display.

const ENDPOINT = "/graphql";
const TOKEN_KEY = "tenantgraph.token";

/** The bearer token for a server that requires one (kept for this browser tab only). */
export function setToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** Raised when the server wants a (valid) bearer token. */
export class Unauthenticated extends Error {}

/** POST a query; resolve to `data`, reject with the server's messages (and codes) joined. */
export async function gql(query, variables = {}) {
  const headers = { "content-type": "application/json", accept: "application/json" };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(ENDPOINT, { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  if (response.status === 401) {
    throw new Unauthenticated(token ? "the token was not accepted" : "this server needs an API token");
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new Error(`the API answered ${response.status} without JSON`);
  }
  if (body.errors && body.errors.length) {
    throw new Error(body.errors.map((e) => {
      const code = e.extensions && e.extensions.code ? ` (${e.extensions.code})` : "";
      return e.message + code;
    }).join("; "));
  }
  if (!response.ok) throw new Error(`the API answered ${response.status}`);
  return body.data;
}

export const TRUST_GRAPH = `
query ViewerTrustGraph {
  trustGraph {
    nodes { id name tenantId cloud type domains redacted }
    edges { id kind source target rule policy scope sourceUrl }
  }
  currentSnapshot { id title source createdAt }
}`;

const HOPS = "hops { source target kind rule policy sourceUrl }";

export const ACCESS = `
query ViewerAccess($principal: String!, $resource: String!, $via: Via!) {
  access(principal: $principal, resource: $resource, via: $via) {
    principal { ref } resource { ref } via decision mfa partial
    paths { via nodes ${HOPS} }
    reasons { code rule tenant policy message side inferred }
  }
}`;

/** One verdict, with `principal` and `resource` flattened to their refs for the drawing code. */
export async function checkAccess(principal, resource, via) {
  const { access } = await gql(ACCESS, { principal, resource, via });
  return { ...access, principal: access.principal.ref, resource: access.resource.ref };
}

const WHO = `
query ViewerWho($resource: String!, $first: Int!, $after: String) {
  whoCanAccess(resource: $resource, first: $first, after: $after) {
    edges { node { principal { ref } resource { ref } verdict {
      via decision mfa paths { via ${HOPS} } reasons { code rule tenant policy message side }
    } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** Every page of who-can-access (the page shows the whole answer, not its first page). */
export async function whoCanAccess(resource, pageSize = 500) {
  const items = [];
  let after = null;
  for (;;) {
    const page = (await gql(WHO, { resource, first: pageSize, after })).whoCanAccess;
    for (const { node } of page.edges) {
      items.push({ ...node.verdict, principal: node.principal.ref, resource: node.resource.ref });
    }
    if (!page.pageInfo.hasNextPage) return { total: items.length, items };
    after = page.pageInfo.endCursor;
  }
}

/** The values of the API's `Via` enum, by introspection (so the form follows the schema). */
export async function viaValues() {
  const data = await gql(`query ViewerVia { __type(name: "Via") { enumValues { name } } }`);
  return data.__type ? data.__type.enumValues.map((v) => v.name) : [];
}

const SEARCH = `
query ViewerSearch($q: String!, $n: Int!) {
  users(search: $q, first: $n) { nodes { ref name userPrincipalName mail userType guestOf syncedFrom } }
  apps(search: $q, first: $n) { nodes { ref name appId } }
  groups(search: $q, first: $n) { nodes { ref name } }
}`;

const CHANNELS = `query ViewerChannels { channels(first: 1000) { nodes { ref name membershipType } } }`;
let channels = null;

/**
 * Directory objects matching `q` (server-side search on ref, UPN, mail, appId; channels and
 * tenants are few and matched here). Each hit: {kind, ref, home, extra}; `home` is the home
 * identity a guest or synced user object stands for: the principal to ask about.
 */
export async function searchDirectory(q, tenants = [], n = 8) {
  const needle = q.toLowerCase();
  if (channels === null) {
    channels = await gql(CHANNELS).then((d) => d.channels.nodes).catch(() => []);
  }
  const data = await gql(SEARCH, { q, n });
  const hits = tenants.filter((t) => t.toLowerCase().includes(needle)).slice(0, 4)
    .map((t) => ({ kind: "tenant", ref: t, home: null, extra: null }));
  for (const u of data.users.nodes) {
    const home = u.guestOf || u.syncedFrom || null;
    const how = u.guestOf ? `guest of ${u.guestOf} · ` : u.syncedFrom ? `synced from ${u.syncedFrom} · ` : "";
    hits.push({ kind: "user", ref: u.ref, home, extra: `${how}${u.userPrincipalName}` });
  }
  for (const a of data.apps.nodes) hits.push({ kind: "app", ref: a.ref, home: null, extra: `appId ${a.appId}` });
  for (const c of channels.filter((c) => c.ref.toLowerCase().includes(needle)).slice(0, n)) {
    hits.push({ kind: "channel", ref: c.ref, home: null, extra: `${String(c.membershipType).toLowerCase()} channel` });
  }
  for (const g of data.groups.nodes) hits.push({ kind: "group", ref: g.ref, home: null, extra: null });
  return hits;
}

const SETTINGS_FIELDS = `
  b2bCollaborationInbound { ...Setting } b2bCollaborationOutbound { ...Setting }
  b2bDirectConnectInbound { ...Setting } b2bDirectConnectOutbound { ...Setting }
  inboundTrust { isMfaAccepted isCompliantDeviceAccepted isHybridAzureADJoinedDeviceAccepted }`;

const TENANT = `
fragment Setting on B2BSetting {
  usersAndGroups { accessType targets { target targetType } }
  applications { accessType targets { target targetType } }
}
query ViewerTenant($name: String!) {
  tenant(name: $name) {
    name tenantId domains cloud type identityProviders
    externalCollaboration { allowInvitesFrom blockedDomains allowedDomains guestUserAccess }
    teamsPolicy { allowUserToParticipateInExternalSharedChannel allowChannelSharingToExternalUser }
    crossTenantAccess {
      allowedCloudEndpoints
      default { isServiceDefault ${SETTINGS_FIELDS} }
      partners {
        tenantId partnerTenant isServiceProvider isInMultiTenantOrganization
        automaticUserConsentSettings { inboundAllowed outboundAllowed }
        identitySynchronization { userSyncInbound { isSyncAllowed } }
        ${SETTINGS_FIELDS}
      }
    }
  }
}`;

const tenantCache = new Map();

/** A tenant's settings (cached per page load; the viewer never writes). */
export function tenantSettings(name) {
  if (!tenantCache.has(name)) {
    tenantCache.set(name, gql(TENANT, { name }).then((d) => d.tenant).catch((err) => {
      tenantCache.delete(name);
      throw err;
    }));
  }
  return tenantCache.get(name);
}
