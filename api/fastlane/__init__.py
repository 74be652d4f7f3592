"""The fast lane: planned GraphQL documents (`access` today) answered without GraphQL execution,
with the same bytes as regular execution (see `endpoint`)."""

from api.fastlane.endpoint import FastLane
from api.fastlane.plan import Planner
from api.fastlane.resolvers import RESOLVERS

__all__ = ["RESOLVERS", "FastLane", "Planner"]
