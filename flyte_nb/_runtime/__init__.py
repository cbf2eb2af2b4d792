"""What runs inside a container: one action (``python -m flyte_nb._runtime``)."""
