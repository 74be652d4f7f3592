"""Microsoft first-party applications: well-known app ids and suite membership (R10).

The Office 365 suite is the Conditional Access "Office 365" app group (Exchange Online,
SharePoint Online, OneDrive, Teams, Office web, ...). `AllMicrosoftApps` matches every
first-party app.
"""

from __future__ import annotations

from graphmodel.schema.enums import BuiltinApp

__all__ = ["BUILTIN_APP_IDS", "OFFICE365_SUITE", "TERMS_OF_USE_APP_ID", "builtin_for_app_id"]

BUILTIN_APP_IDS: dict[BuiltinApp, str] = {
    BuiltinApp.TEAMS: "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe",
    BuiltinApp.SHAREPOINT: "00000003-0000-0ff1-ce00-000000000000",
    BuiltinApp.EXCHANGE: "00000002-0000-0ff1-ce00-000000000000",
    BuiltinApp.ONEDRIVE: "ab9b8c07-8f02-4f72-87fa-80105867a763",
    BuiltinApp.OFFICE_WEB: "4765445b-32c6-49b0-83e6-1d93765276ca",
    BuiltinApp.AZURE_PORTAL: "c44b4083-3bb0-49c1-b47d-974e53cbdf3c",
    BuiltinApp.MICROSOFT_GRAPH: "00000003-0000-0000-c000-000000000000",
    BuiltinApp.POWER_BI: "00000009-0000-0000-c000-000000000000",
    BuiltinApp.MY_APPS: "2793995e-0a7d-40d7-bd35-6968ba142197",
    BuiltinApp.TERMS_OF_USE: "d52792f4-ba38-424d-8140-ada5b883f293",
}

OFFICE365_SUITE: frozenset[BuiltinApp] = frozenset(
    {
        BuiltinApp.TEAMS,
        BuiltinApp.SHAREPOINT,
        BuiltinApp.EXCHANGE,
        BuiltinApp.ONEDRIVE,
        BuiltinApp.OFFICE_WEB,
    }
)

TERMS_OF_USE_APP_ID = BUILTIN_APP_IDS[BuiltinApp.TERMS_OF_USE]

_BY_APP_ID = {v: k for k, v in BUILTIN_APP_IDS.items()}


def builtin_for_app_id(app_id: str) -> BuiltinApp | None:
    """The first-party app with this app id, if it is one we know.

    Examples
    --------
    >>> builtin_for_app_id("00000002-0000-0ff1-ce00-000000000000")
    <BuiltinApp.EXCHANGE: 'Exchange'>
    """
    return _BY_APP_ID.get(app_id)
