"""How a reaching pair holds its grant, read from the grants alone (no verdict built).

Why: some audits ask of every reaching pair only *how* it holds the resource — through a group
membership, an assignment, a team — which the verdict's paths say, but a verdict costs every
gate (cross-tenant settings, Conditional Access, reasons). The grant hops of the route through
the principal's object are the route's paths minus their entry hop, so when the answer's route
is that one, the grants tell the paths' hops exactly; otherwise the caller reads the verdict.
"""

from __future__ import annotations

from graphmodel.engine.check import CheckLimits, resolve_principal, resolve_resource
from graphmodel.engine.index import WorldIndex
from graphmodel.engine.object_route import object_grants
from graphmodel.policy.apps import is_multitenant_registration
from graphmodel.schema.entities import App
from graphmodel.schema.enums import Via
from graphmodel.schema.verdict import Hop

__all__ = ["collaboration_grants"]


def collaboration_grants(
    ix: WorldIndex,
    principal_ref: str,
    resource_ref: str,
    via: Via,
    *,
    limits: CheckLimits | None = None,
) -> list[list[Hop]] | None:
    """The grant hop lists of the B2B collaboration paths of an allow or pending answer whose
    route is `via`: each such path of `check`'s verdict is its entry hop (guest or synced
    object, if any) then one of these, and every list is one path (order aside). None when
    only the verdict can tell: another route, a multitenant registration (its home route may
    hold such paths too), or more grants than the verdict keeps paths (`limits.max_paths`).

    Raises NodeNotFound for an unknown principal or resource.
    """
    if via != Via.B2B_COLLABORATION:
        return None
    principal = resolve_principal(ix, principal_ref)
    resource = resolve_resource(ix, resource_ref)
    if isinstance(resource, App) and is_multitenant_registration(resource):
        return None
    # the object `check` routes through (`check._routes`): the principal in its own tenant
    same = principal.tenant == resource.tenant and not ix.is_b2c_consumer(principal)
    subject = principal if same else ix.representation_in(principal, resource.tenant)
    if subject is None:  # no object: the answer cannot be a collaboration one
        return None
    grants = object_grants(ix, subject, principal, resource)
    if len(grants) > (limits or CheckLimits()).max_paths:
        return None
    return grants
