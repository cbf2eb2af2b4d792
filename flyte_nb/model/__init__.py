"""The task model: what a user declares (tasks, environments, policies, images) and the
records and context every floor above shares. Imports nothing of flyte_nb but ``errors``."""
