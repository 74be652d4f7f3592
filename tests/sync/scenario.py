"""The tenant the sync tests collect, and the three changes made between two runs.

The fake tenant is `tests.ingest.fake_tenant` (Microsoft's samples as one tenant) plus one more
guest of Fabrikam, `gwen`, who is not yet in the assigned group. Between the runs: the guest
`Adele Vance` of adatum.com is deleted, `gwen` is added to `Executives` (the group assigned to
`my-app`), and the Fabrikam partner entry starts blocking the Microsoft Teams app for B2B
collaboration. What each does to outsiders, worked out by hand from the samples:

- Adele (adatum.com/AdeleV) loses the three apps that need no assignment;
- gwen (Fabrikam/gwen) gains `my-app` (assignment through the group);
- bob and gwen (Fabrikam) lose `microsoft-teams` (the partner's inbound setting).
"""

from __future__ import annotations

from typing import Any

from tests.ingest.fake_graph import FakeGraph
from tests.ingest.fake_tenant import routes

__all__ = ["EXPECTED", "GWEN", "PARTNERS", "apply_changes", "tenant_routes"]

GWEN = "7a9e6f1c-2d3b-4c5a-8e9f-0a1b2c3d4e5f"
ADELE = "39807bd1-3dde-48f3-8165-81ddd4e46de0"  # user/list-guest-users-by-ext-upn.json
EXECUTIVES = "4d0ef681-e88f-42a3-a2db-e6bf1e249e10"
TEAMS_APP_ID = "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe"
PARTNERS = "/policies/crossTenantAccessPolicy/partners"
EXPECTED = {
    ("lost", "adatum.com/AdeleV", "contoso/microsoft-graph"),
    ("lost", "adatum.com/AdeleV", "contoso/microsoft-teams"),
    ("lost", "adatum.com/AdeleV", "contoso/display-name"),
    ("gained", "Fabrikam/gwen", "contoso/my-app-instance-in-tenant"),
    ("lost", "Fabrikam/bob", "contoso/microsoft-teams"),
    ("lost", "Fabrikam/gwen", "contoso/microsoft-teams"),
}


def tenant_routes() -> dict[str, Any]:
    tenant = routes()
    tenant["/users"].append({
        "id": GWEN, "displayName": "gwen", "userType": "Guest", "creationType": "Invitation",
        "userPrincipalName": "gwen_fabrikam.com#EXT#@contoso.onmicrosoft.com",
        "mail": "gwen@fabrikam.com", "externalUserState": "Accepted",
        "identities": [{"signInType": "federated", "issuer": "ExternalAzureAD"}]})
    tenant["/auditLogs/directoryAudits"] = []
    return tenant


def apply_changes(fake: FakeGraph) -> None:
    fake.remove("/users", ADELE)
    fake.add_member(EXECUTIVES, {"@odata.type": "#microsoft.graph.user", "id": GWEN})
    partner = fake.routes[PARTNERS][0]
    fake.routes[PARTNERS] = [{**partner, "b2bCollaborationInbound": {
        "usersAndGroups": {"accessType": "allowed",
                           "targets": [{"target": "AllUsers", "targetType": "user"}]},
        "applications": {"accessType": "blocked",
                         "targets": [{"target": TEAMS_APP_ID, "targetType": "application"}]},
    }}]
