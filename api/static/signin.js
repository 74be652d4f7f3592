// Entra ID sign-in for the viewer, when the server is configured for it (GET /signin.json):
// the authorization code flow with PKCE through MSAL.js (the npm package, served from /vendor/,
// loaded only here). Without it the page keeps its API-token prompt. The access token goes to
// gql.js's token slot, so every request (and GraphiQL) sends it as `Authorization: Bearer`.
import { setToken } from "./gql.js";

let session = null; // { pca, config } once MSAL is set up

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.onload = resolve;
    script.onerror = () => reject(new Error(`${src} did not load: run \`make setup\``));
    document.head.append(script);
  });
}

/** The server's sign-in settings, or null when it takes API tokens only. */
async function signInConfig() {
  const response = await fetch("/signin.json", { headers: { accept: "application/json" } });
  if (!response.ok) return null;
  const config = await response.json();
  return config.enabled ? config : null;
}

async function setUp() {
  if (session) return session;
  const config = await signInConfig();
  if (!config) return null;
  await loadScript("/vendor/msal-browser.min.js");
  const pca = new window.msal.PublicClientApplication({
    auth: {
      clientId: config.clientId,
      authority: config.authority,
      knownAuthorities: config.knownAuthorities,
      redirectUri: `${location.origin}/`,
    },
    cache: { cacheLocation: "sessionStorage" },
  });
  await pca.initialize();
  session = { pca, config };
  return session;
}

/**
 * Sign in (or finish signing in, back from the authority) and keep the access token for the API.
 * Resolves to true when a token is set, false when the server has no Entra ID sign-in; a page
 * that must first go to the authority never resolves (the browser is leaving).
 * `renew`: the API refused the token we held (expired), so ask MSAL for a fresh one.
 */
export async function signIn(renew = false) {
  const s = await setUp();
  if (!s) return false;
  const { pca, config } = s;
  const back = await pca.handleRedirectPromise();
  const account = (back && back.account) || pca.getAllAccounts()[0];
  if (!account) {
    await pca.loginRedirect({ scopes: config.scopes });
    return new Promise(() => {});
  }
  pca.setActiveAccount(account);
  if (back && back.accessToken && !renew) {
    setToken(back.accessToken);
    return true;
  }
  try {
    const silent = await pca.acquireTokenSilent({ scopes: config.scopes, account, forceRefresh: renew });
    setToken(silent.accessToken);
  } catch (err) {
    if (!(err instanceof window.msal.InteractionRequiredAuthError)) throw err;
    await pca.acquireTokenRedirect({ scopes: config.scopes, account });
    return new Promise(() => {});
  }
  return true;
}

/** Who is signed in (for the header), or null. */
export function signedInAs() {
  const account = session && session.pca.getActiveAccount();
  return account ? account.username || account.name : null;
}
