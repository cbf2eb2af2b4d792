"""``flyte.notify``: notifications a Flyte cluster sends when a run ends (Email, Slack, Teams,
Webhook, and named rules or deliveries configured there).

flyte_nb runs locally and sends none of them: they are accepted with the Flyte 2 SDK's
constructors and checks so code that passes them (``with_runcontext(notifications=...)``)
runs unchanged.
"""

from ..model._notify import Email, NamedDelivery, NamedRule, Notification, Slack, Teams, Webhook

__all__ = ["Email", "NamedDelivery", "NamedRule", "Notification", "Slack", "Teams", "Webhook"]
