"""The docker backend: containers per action or reusable workers."""
