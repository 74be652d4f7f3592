// GraphiQL from the npm package (React and GraphiQL are loaded as UMD globals by graphiql.html):
// the example queries open as tabs, and a token saved by the viewer is sent as a bearer token.
import { EXAMPLES, authHeaders } from "./gql.js";

const fetcher = window.GraphiQL.createFetcher({ url: "/graphql", headers: authHeaders() });
const root = window.ReactDOM.createRoot(document.getElementById("graphiql"));
const tabs = EXAMPLES.map(({ title, query, variables }) => ({
  query: `# ${title}\n${query.trim()}\n`, variables: JSON.stringify(variables, null, 2),
}));
root.render(window.React.createElement(window.GraphiQL, {
  fetcher,
  defaultTabs: tabs,
  // GraphiQL opens its first tab from these props, not from `defaultTabs`.
  query: tabs[0].query,
  variables: tabs[0].variables,
  defaultEditorToolsVisibility: "variables",
}));
document.getElementById("graphiql").dataset.rendered = "true";
