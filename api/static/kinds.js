// Edge kinds as the page shows them: label, colour and what the edge means. The colours are
// the ones graphmodel/export/_model.py EDGE_STYLE gives the exports (a unit test compares them),
// so a GraphML/DOT/Mermaid export reads like the page. They come from the Okabe-Ito and Paul Tol
// palettes, chosen to stay distinct for colour-blind readers.

export const TRUST_KINDS = {
  B2B_COLLAB_OUT: {
    label: "B2B collaboration out", colour: "#0072b2", group: "collaboration",
    meaning: (s, t) => `${s}'s outbound B2B collaboration setting lets its users be guests in ${t}.`,
  },
  B2B_COLLAB_IN: {
    label: "B2B collaboration in", colour: "#56b4e9", group: "collaboration",
    meaning: (s, t) => `${s}'s inbound B2B collaboration setting admits users of ${t} as guests.`,
  },
  DIRECT_CONNECT_OUT: {
    label: "direct connect out", colour: "#cc79a7", group: "direct connect",
    meaning: (s, t) => `${s}'s outbound B2B direct connect lets its users into ${t}'s shared channels (one-sided unless ${t} admits them inbound).`,
  },
  DIRECT_CONNECT_IN: {
    label: "direct connect in", colour: "#882255", group: "direct connect",
    meaning: (s, t) => `${s}'s inbound B2B direct connect admits users of ${t} to its shared channels (one-sided unless ${t} allows them outbound).`,
  },
  DIRECT_CONNECT_MUTUAL: {
    label: "direct connect mutual", colour: "#332288", group: "direct connect",
    meaning: (s, t) => `Direct connect is open both ways: ${s} allows outbound and ${t} allows inbound.`,
  },
  TRUSTS_MFA: {
    label: "trusts MFA", colour: "#009e73", group: "trust",
    meaning: (s, t) => `${s} (resource tenant) accepts MFA performed in ${t} (home tenant).`,
  },
  TRUSTS_COMPLIANT_DEVICE: {
    label: "trusts compliant device", colour: "#999933", group: "trust",
    meaning: (s, t) => `${s} accepts the compliant-device claim of devices managed by ${t}.`,
  },
  TRUSTS_HYBRID_JOINED: {
    label: "trusts hybrid joined", colour: "#44aa99", group: "trust",
    meaning: (s, t) => `${s} accepts the hybrid Azure AD joined claim of devices of ${t}.`,
  },
  SYNCS_USERS_TO: {
    label: "syncs users to", colour: "#e69f00", group: "sync",
    meaning: (s, t) => `Cross-tenant synchronization provisions users of ${s} into ${t}.`,
  },
  CROSS_CLOUD_ENABLED: {
    label: "cross-cloud enabled", colour: "#d55e00", group: "clouds",
    meaning: (s, t) => `${s} has enabled collaboration with ${t}, a tenant in another Microsoft cloud.`,
  },
};

export const PATH_COLOUR = "#ea580c";
export const BLOCK_COLOUR = "#dc2626";

export const CLOUD_COLOUR = { global: "#334155", usgov: "#b45309", china: "#b91c1c" };

/** Which trust kinds explain a verdict between a home and a resource tenant. */
export function kindsBehind(verdict) {
  const kinds = new Set();
  const via = String(verdict.via || "").toLowerCase();
  if (via.includes("collaboration") || via === "any") kinds.add("B2B_COLLAB_OUT").add("B2B_COLLAB_IN");
  if (via.includes("direct")) {
    kinds.add("DIRECT_CONNECT_OUT").add("DIRECT_CONNECT_IN").add("DIRECT_CONNECT_MUTUAL");
  }
  for (const path of verdict.paths || []) {
    for (const hop of path.hops) {
      const kind = String(hop.kind || "").toUpperCase();
      if (kind === "SYNCED_FROM") kinds.add("SYNCS_USERS_TO");
      if (kind === "GUEST_OF") kinds.add("B2B_COLLAB_OUT").add("B2B_COLLAB_IN");
      if (kind === "SHARED_WITH_TEAM" || kind === "CHANNEL_MEMBER") {
        kinds.add("DIRECT_CONNECT_OUT").add("DIRECT_CONNECT_IN").add("DIRECT_CONNECT_MUTUAL");
      }
    }
  }
  for (const reason of verdict.reasons || []) {
    const code = String(reason.code || "").toLowerCase();
    if (code.startsWith("mfa_")) kinds.add("TRUSTS_MFA");
    if (code.startsWith("device_")) kinds.add("TRUSTS_COMPLIANT_DEVICE").add("TRUSTS_HYBRID_JOINED");
    if (code.includes("cross_cloud")) kinds.add("CROSS_CLOUD_ENABLED");
  }
  kinds.add("CROSS_CLOUD_ENABLED");
  return kinds;
}

export function tenantOf(ref) {
  return String(ref).split("/")[0];
}

// What each hop's edge allows at its ends, in path order (principal -> resource), so some run
// against the stored direction (team -> channel). Candidates of a ref are intersected over
// its hops: a group that is granted and assigned is a Group.
const USERISH = ["User", "Group"];
const ENDS = {
  MEMBER_OF: [USERISH, ["Group"]], ASSIGNED_TO: [USERISH, ["App"]], SIGNS_IN_TO: [["User"], ["App"]],
  GUEST_OF: [["User"], ["User"]], SYNCED_FROM: [["User"], ["User"]], TEAM_MEMBER: [["User"], ["Team"]],
  CHANNEL_OF: [["Team"], ["Channel"]], SHARED_WITH_TEAM: [["Team"], ["Channel"]],
  HAS_ASSIGNMENT: [["User"], ["AccessPackage"]], GRANTS: [["AccessPackage"], ["Group", "App"]],
  INSTANCE_OF: [["App"], ["App"]], CHANNEL_MEMBER: [["User"], ["Channel"]],
};
export const SHAPE = { User: "ellipse", Group: "hexagon", App: "round-rectangle", Team: "barrel", Channel: "tag", AccessPackage: "diamond" };

export function objectKinds(verdict) {
  const kinds = new Map([[verdict.principal, ["User"]]]);
  const narrow = (ref, allowed) => {
    const now = kinds.get(ref);
    const next = now ? now.filter((k) => allowed.includes(k)) : allowed;
    kinds.set(ref, next.length ? next : allowed);
  };
  for (const path of verdict.paths || []) {
    for (const hop of path.hops) {
      const ends = ENDS[String(hop.kind).toUpperCase()];
      if (!ends) continue;
      narrow(hop.source, ends[0]);
      narrow(hop.target, ends[1]);
    }
  }
  return (ref) => {
    if (ref.split("/").length === 3) return "Channel";
    const found = kinds.get(ref);
    return found && found.length === 1 ? found[0] : "Object";
  };
}
