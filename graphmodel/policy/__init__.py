"""Policy semantics: one documented rule family per module, pure functions over schema types.

Nothing here reads a store; the engine looks facts up and passes them in.
"""

__all__: list[str] = []
