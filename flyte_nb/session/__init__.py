"""A run from the user's side: configuration, ``flyte.run``, ``Run``."""
