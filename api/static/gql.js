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

/** The bearer-token header of this tab's token (for GraphiQL too), or none. */
export function authHeaders() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** POST a query; resolve to `data`, reject with the server's messages (and codes) joined. */
export async function gql(query, variables = {}) {
  const headers = { "content-type": "application/json", accept: "application/json", ...authHeaders() };
  const token = sessionStorage.getItem(TOKEN_KEY);
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
    edges { kind source target rule policy scope sourceUrl }
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
query ViewerWho($resource: String!, $first: Int!, $after: String, $outsiders: Boolean!, $count: Boolean!) {
  whoCanAccess(resource: $resource, first: $first, after: $after, outsiders: $outsiders) {
    totalCount @include(if: $count)
    edges { node { principal { ref } resource { ref } kind outsider tenantObject { ref } verdict {
      via decision mfa paths { via ${HOPS} } reasons { code rule tenant policy message side }
    } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/**
 * One page of who-can-access (only outsiders of the resource's tenant when `outsiders`): the
 * page lists it virtualised and fetches the next on scroll. The first page (no `after`) also
 * brings `total`, the size of the whole (filtered) answer; later pages do not ask for it again.
 */
export async function whoPage(resource, { after = null, outsiders = false, first = 100 } = {}) {
  const count = after === null;
  const page = (await gql(WHO, { resource, first, after, outsiders, count })).whoCanAccess;
  const items = page.edges.map(({ node }) => ({
    ...node.verdict, principal: node.principal.ref, resource: node.resource.ref,
    kind: node.kind, outsider: node.outsider, object: node.tenantObject ? node.tenantObject.ref : null,
  }));
  return { items, total: count ? page.totalCount : null, hasNext: page.pageInfo.hasNextPage, after: page.pageInfo.endCursor };
}

/** The values of the API's `Via` enum, by introspection (so the form follows the schema). */
export async function viaValues() {
  const data = await gql(`query ViewerVia { __type(name: "Via") { enumValues { name } } }`);
  return data.__type ? data.__type.enumValues.map((v) => v.name) : [];
}

const SEARCH = `
query ViewerSearch($q: String!, $kinds: [SearchKind!], $n: Int!, $after: String) {
  search(query: $q, kinds: $kinds, first: $n, after: $after) {
    nodes { kind ref tenant name detail home }
    pageInfo { hasNextPage endCursor }
  }
}`;

/**
 * Tenants, users, groups, apps and channels matching `q` (the server's `search`: name, ref,
 * UPN, mail, appId, tenant id). Each hit: {kind, ref, home, extra}; `home` is the home identity
 * a guest or synced user object stands for: the principal to ask about.
 */
export async function searchDirectory(q, n = 12, kinds = null, after = null) {
  const data = await gql(SEARCH, { q, n, kinds, after });
  const hits = data.search.nodes.map((h) => ({
    kind: h.kind.toLowerCase(), ref: h.ref, home: h.home, extra: h.detail, name: h.name,
  }));
  return { hits, after: data.search.pageInfo.hasNextPage ? data.search.pageInfo.endCursor : null };
}

// The object browser: one list query per table, all paged by cursor with a total.
const PAGE = "pageInfo { hasNextPage endCursor } totalCount";
export const BROWSE = {
  users: `query BrowseUsers($tenant: String!, $after: String) {
    list: users(tenant: $tenant, userType: MEMBER, first: 50, after: $after) {
      nodes { ref name userPrincipalName accountEnabled syncedFrom } ${PAGE} } }`,
  guests: `query BrowseGuests($tenant: String!, $after: String) {
    list: users(tenant: $tenant, userType: GUEST, first: 50, after: $after) {
      nodes { ref name userPrincipalName externalUserState guestOf identityProvider } ${PAGE} } }`,
  groups: `query BrowseGroups($tenant: String!, $after: String) {
    list: groups(tenant: $tenant, first: 50, after: $after) { nodes { ref name memberRefs } ${PAGE} } }`,
  apps: `query BrowseApps($tenant: String!, $after: String) {
    list: apps(tenant: $tenant, first: 50, after: $after) {
      nodes { ref name appId appRoleAssignmentRequired assignedRefs } ${PAGE} } }`,
  channels: `query BrowseChannels($tenant: String!, $after: String) {
    list: channels(tenant: $tenant, first: 50, after: $after) {
      nodes { ref name membershipType memberRefs sharedWithTeams } ${PAGE} } }`,
  policies: `query BrowsePolicies($tenant: String!, $after: String) {
    list: conditionalAccessPolicies(tenant: $tenant, first: 50, after: $after) {
      nodes { ref name state grantOperator } ${PAGE} } }`,
};

/** One page of an object-browser table: {rows, total, after (null at the end)}. */
export async function browsePage(table, tenant, after = null) {
  const list = (await gql(BROWSE[table], { tenant, after })).list;
  return { rows: list.nodes, total: list.totalCount, after: list.pageInfo.hasNextPage ? list.pageInfo.endCursor : null };
}

// Example queries GraphiQL opens as tabs (graphiql.js): the questions the viewer asks.
export const EXAMPLES = [
  { title: "Search by name, UPN, appId or tenant id", query: SEARCH, variables: { q: "bob", n: 10 } },
  { title: "The trust graph: tenants and derived trust edges", query: TRUST_GRAPH, variables: {} },
  { title: "Can this principal reach this resource, and by which path?", query: ACCESS,
    variables: { principal: "fabrikam/bob", resource: "contoso/payroll", via: "ANY" } },
  { title: "Who outside the tenant can access a resource (paged, with the total)", query: WHO,
    variables: { resource: "contoso/payroll", first: 20, outsiders: true, count: true } },
  { title: "A tenant's guests (object browser)", query: BROWSE.guests, variables: { tenant: "contoso" } },
];

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
    externalCollaboration { allowInvitesFrom blockedDomains allowedDomains guestUserAccess guestUserRoleId }
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
